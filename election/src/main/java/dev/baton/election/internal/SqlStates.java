package dev.baton.election.internal;

import java.sql.Connection;
import java.sql.SQLException;

/** Classifies PostgreSQL errors (see the pgjdbc notes in shared/reference). */
final class SqlStates {
    static final String QUERY_CANCELED = "57014";
    static final String LOCK_NOT_AVAILABLE = "55P03";

    private SqlStates() {}

    /**
     * Whether the SQLState alone says the connection is gone (08xxx connection exceptions, 57P01..05 termination
     * and shutdown, or no state at all): a new connection may cure it, the old session's locks are gone.
     */
    static boolean connectionLost(SQLException e) {
        String state = e.getSQLState();
        return state == null || state.startsWith("08") || state.startsWith("57P");
    }

    /** Whether the error means the session is gone or unusable, so its locks are gone too. */
    static boolean sessionFailed(SQLException e, Connection connection) {
        if (connectionLost(e)) {
            return true;
        }
        try {
            return connection.isClosed() || !connection.isValid(5);
        } catch (SQLException checkFailed) {
            return true;
        }
    }
}
