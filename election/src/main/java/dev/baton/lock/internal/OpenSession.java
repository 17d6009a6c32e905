package dev.baton.lock.internal;

import dev.baton.BatonException;
import dev.baton.internal.PoolerProbe;
import dev.baton.internal.Sessions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * A lock session ready for use: its connection, every {@link AdvisorySql} statement prepared, its backend pid. Used
 * only under its {@link PgSession}'s lock (a pgjdbc connection serialises all use anyway).
 */
record OpenSession(Connection connection, Map<AdvisorySql, PreparedStatement> statements, int pid) {

    PreparedStatement statement(AdvisorySql sql) {
        return statements.get(sql);
    }

    /** Advisory locks are never replicated: a lock taken on a standby excludes nobody on the primary. */
    static BatonException standby(ClientConfig config) {
        return new BatonException("LockClient '" + config.instanceId() + "' is connected to a hot standby"
                + " (pg_is_in_recovery() = true, " + config.source() + "): advisory locks are never replicated, so a"
                + " lock taken there excludes nobody on the primary. Connect to the primary (for example with"
                + " targetServerType=primary in the JDBC URL)");
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
            Sessions.Applied applied = Sessions.apply(c, config.applicationName(), waiter);
            int pid = applied.pid();
            if (applied.inRecovery()) {
                throw standby(config);
            }
            if (!waiter) { // waiter sessions come from the same source: probing the main one is enough
                // A second session for a moment; a pool with no free slot gets 1 s, then the probe is skipped.
                Optional<String> pooler = PoolerProbe.evidence(
                        config.source(), c, pid, "baton-lock-pooler-probe-" + config.instanceId(), 1000);
                if (pooler.isPresent()) {
                    throw new BatonException("LockClient '" + config.instanceId() + "' is behind a transaction- or"
                            + " statement-mode connection pooler (" + pooler.get() + ")"
                            + PoolerProbe.why(config.source()));
                }
            }
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
