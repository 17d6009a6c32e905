package dev.baton.election.internal;

import java.sql.Connection;
import java.sql.SQLException;

/** Classifies PostgreSQL errors (see the pgjdbc notes in shared/reference). */
final class SqlStates {
    static final String QUERY_CANCELED = "57014";
    static final String LOCK_NOT_AVAILABLE = "55P03";

    private SqlStates() {}

    /** Whether the error means the session is gone or unusable, so its locks are gone too. */
    static boolean sessionFailed(SQLException e, Connection connection) {
        String state = e.getSQLState();
        if (state == null || state.startsWith("08") || state.startsWith("57P")) {
            return true;
        }
        try {
            return connection.isClosed() || !connection.isValid(5);
        } catch (SQLException checkFailed) {
            return true;
        }
    }
}
