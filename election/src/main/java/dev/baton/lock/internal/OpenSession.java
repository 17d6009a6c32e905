package dev.baton.lock.internal;

import dev.baton.BatonException;
import dev.baton.internal.PoolerProbe;
import dev.baton.internal.Sessions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lock session ready for use: its connection, every {@link AdvisorySql} statement prepared, its backend pid, and
 * whether it holds its {@link dev.baton.internal.LossWatcher} sentinel (the main session only). Used only under its
 * {@link PgSession}'s lock (a pgjdbc connection serialises all use anyway), except {@link #abort()}.
 */
record OpenSession(Connection connection, Map<AdvisorySql, PreparedStatement> statements, int pid, boolean sentinel) {
    private static final Logger log = LoggerFactory.getLogger(OpenSession.class);

    PreparedStatement statement(AdvisorySql sql) {
        return statements.get(sql);
    }

    /**
     * Closes the socket from any thread, without a round trip: a statement blocked on it fails at once. The connection
     * is still discarded by its session afterwards (evicted from a pool).
     */
    void abort() {
        try {
            connection.unwrap(Connection.class).abort(Runnable::run);
        } catch (SQLException | RuntimeException e) {
            log.debug("Abort of a lock session failed", e);
        }
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
            // The server drops this session serverReleaseAfter after it went silent (the timing contract), and a
            // statement never waits longer than lossTimeout for an answer (waits that are meant to block widen it).
            if (!config.serverRelease().apply(c) && !waiter) {
                log.warn(
                        "LockClient '{}' is connected over a Unix socket: TCP keepalive does not apply, so"
                                + " serverReleaseAfter is not enforced by the server",
                        config.instanceId());
            }
            c.setNetworkTimeout(Runnable::run, (int) config.lossTimeout().toMillis());
            Map<AdvisorySql, PreparedStatement> prepared = new EnumMap<>(AdvisorySql.class);
            for (AdvisorySql sql : AdvisorySql.values()) {
                prepared.put(sql, c.prepareStatement(sql.sql));
            }
            boolean sentinel = false;
            if (!waiter) {
                try (ResultSet rs = prepared.get(AdvisorySql.SENTINEL).executeQuery()) {
                    rs.next();
                    sentinel = rs.getBoolean(1);
                }
                if (!sentinel) {
                    log.warn(
                            "LockClient '{}': another session holds the loss-watcher sentinel of backend pid {};"
                                    + " loss of this session is noticed by the heartbeat only",
                            config.instanceId(),
                            pid);
                }
            }
            return new OpenSession(c, prepared, pid, sentinel); // EnumMap: an array lookup on the hot path
        } catch (SQLException | RuntimeException e) {
            Sessions.discard(config.source(), c, false);
            throw e;
        }
    }
}
