package dev.baton.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;

/** Classifies PostgreSQL errors (see the pgjdbc notes in shared/reference). */
public final class SqlStates {
    public static final String QUERY_CANCELED = "57014";
    public static final String LOCK_NOT_AVAILABLE = "55P03";

    /**
     * What the losers of a concurrent {@code CREATE TABLE IF NOT EXISTS} see: 23505 (pg_type's unique index), 42P07
     * (relation exists) or 42710 (type exists). The table exists either way.
     */
    private static final Set<String> ALREADY_CREATED = Set.of("23505", "42P07", "42710");

    private SqlStates() {}

    /**
     * Whether the SQLState alone says the connection is gone (08xxx connection exceptions, 57P01..05 termination
     * and shutdown, or no state at all): a new connection may cure it, the old session's locks are gone.
     */
    public static boolean connectionLost(SQLException e) {
        String state = e.getSQLState();
        return state == null || state.startsWith("08") || state.startsWith("57P");
    }

    /** Whether the error means the session is gone or unusable, so its locks are gone too. */
    public static boolean sessionFailed(SQLException e, Connection connection) {
        if (connectionLost(e)) {
            return true;
        }
        try {
            return connection.isClosed() || !connection.isValid(5);
        } catch (SQLException checkFailed) {
            return true;
        }
    }

    /** Whether a failed {@code CREATE ... IF NOT EXISTS} lost a race with another instance creating the same table. */
    public static boolean createdConcurrently(SQLException e) {
        return ALREADY_CREATED.contains(e.getSQLState());
    }
}
