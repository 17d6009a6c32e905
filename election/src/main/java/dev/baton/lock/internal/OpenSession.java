package dev.baton.lock.internal;

import dev.baton.BatonException;
import dev.baton.internal.Sessions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.Map;

/**
 * A lock session ready for use: its connection, every {@link AdvisorySql} statement prepared, its backend pid. Used
 * only under its {@link PgSession}'s lock (a pgjdbc connection serialises all use anyway).
 */
record OpenSession(Connection connection, Map<AdvisorySql, PreparedStatement> statements, int pid) {

    PreparedStatement statement(AdvisorySql sql) {
        return statements.get(sql);
    }

    /**
     * Opens (or borrows) a connection, applies the session settings and prepares the advisory-lock statements; a
     * connection that fails half-way is discarded, never handed back with unknown state.
     */
    static OpenSession open(ClientConfig config, boolean waiter) throws SQLException {
        Connection c;
        try {
            c = config.source().open();
        } catch (SQLException e) {
            throw new BatonException(
                    "Could not open a session to PostgreSQL (" + config.source() + ") for client '"
                            + config.instanceId() + "': " + e.getMessage() + " (SQLState " + e.getSQLState() + ")",
                    e);
        }
        try {
            c.setAutoCommit(true);
            int pid = Sessions.apply(c, config.applicationName(), waiter);
            Map<AdvisorySql, PreparedStatement> prepared = new EnumMap<>(AdvisorySql.class);
            for (AdvisorySql sql : AdvisorySql.values()) {
                prepared.put(sql, c.prepareStatement(sql.sql));
            }
            return new OpenSession(c, prepared, pid); // EnumMap: an array lookup on the hot path
        } catch (SQLException | RuntimeException e) {
            Sessions.discard(config.source(), c, false);
            throw e;
        }
    }
}
