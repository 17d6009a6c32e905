package dev.baton.election.internal;

import dev.baton.internal.PgLocks;
import dev.baton.internal.Sessions;
import dev.baton.internal.SqlStates;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.Executor;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The elector's one dedicated PostgreSQL session. Used only by the elector's session thread, except
 * {@link #cancel()}, which any thread may call to end a blocked lock wait.
 */
final class ElectorSession {
    private static final Logger log = LoggerFactory.getLogger(ElectorSession.class);
    private static final Executor DIRECT = Runnable::run;

    private final ElectorConfig config;
    private final LeaderTerms terms;
    private final Connection connection;
    private final int backendPid;
    private final PGConnection pgConnection; // null behind a wrapper that does not unwrap to pgjdbc
    private final PreparedStatement lockStatement;
    private final PreparedStatement checkStatement;
    private final PreparedStatement bumpStatement;
    private final PreparedStatement unlockStatement;

    private ElectorSession(ElectorConfig config, Connection connection, int backendPid) throws SQLException {
        this.config = config;
        this.terms = new LeaderTerms(config.tableName);
        this.connection = connection;
        this.backendPid = backendPid;
        PGConnection pg = null;
        try {
            // pgjdbc itself, or a wrapper (a pool's proxy) that unwraps to it.
            if (connection.isWrapperFor(PGConnection.class)) {
                pg = connection.unwrap(PGConnection.class);
            }
        } catch (SQLException e) {
            log.debug("No pgjdbc PGConnection behind {}; loss is detected by checks only", connection, e);
        }
        this.pgConnection = pg;
        long key = config.key.value();
        this.lockStatement = connection.prepareStatement("SELECT pg_advisory_lock(?)");
        this.lockStatement.setLong(1, key);
        this.checkStatement = connection.prepareStatement("SELECT pg_backend_pid(), pg_is_in_recovery(), EXISTS"
                + " (SELECT 1 FROM pg_locks l WHERE " + PgLocks.KEY_CONDITION
                + " AND l.mode = 'ExclusiveLock' AND l.pid = pg_backend_pid())");
        PgLocks.bindKey(checkStatement, 1, key);
        this.bumpStatement = connection.prepareStatement(terms.bumpSql());
        this.bumpStatement.setString(1, config.group);
        this.bumpStatement.setString(2, config.instanceId);
        this.unlockStatement = connection.prepareStatement("SELECT pg_advisory_unlock(?)");
        this.unlockStatement.setLong(1, key);
    }

    /**
     * Opens and prepares a session: names it, sets the timeouts and keepalives, refuses a standby or a
     * transaction-mode pooler, and creates the terms table if allowed.
     *
     * @throws ElectorRefusal if this server cannot host an election
     */
    static ElectorSession open(ElectorConfig config) throws SQLException {
        Connection c = config.source.open();
        try {
            c.setAutoCommit(true);
            Sessions.Applied applied = Sessions.apply(c, config.instanceId, true);
            int pid = applied.pid();
            if (applied.inRecovery()) {
                throw standby(config);
            }
            applyTiming(c, config);
            ElectorPoolerProbe.refuseTransactionPooling(config, c, pid);
            LeaderTerms terms = new LeaderTerms(config.tableName);
            if (config.createTable) {
                terms.create(c);
            }
            terms.verify(c, config);
            // A hung statement fails instead of blocking the session thread for ever; a lock wait ends by
            // lock_timeout well before this.
            c.setNetworkTimeout(DIRECT, (int) (config.lockWaitTimeout.toMillis() + config.stepDownAfter.toMillis()));
            return new ElectorSession(config, c, pid);
        } catch (SQLException | RuntimeException e) {
            Sessions.discard(config.source, c, false);
            throw e;
        }
    }

    private static void applyTiming(Connection c, ElectorConfig config) throws SQLException {
        String sql = "SELECT set_config('tcp_keepalives_idle', ?, false), set_config('tcp_keepalives_interval', ?,"
                + " false), set_config('tcp_keepalives_count', ?, false), set_config('tcp_user_timeout', ?, false),"
                + " set_config('lock_timeout', ?, false), current_setting('tcp_keepalives_idle'), inet_server_port()";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, Integer.toString(config.keepaliveIdleSeconds));
            ps.setString(2, Integer.toString(config.keepaliveIntervalSeconds));
            ps.setString(3, Integer.toString(ElectorConfig.KEEPALIVE_COUNT));
            ps.setString(4, Integer.toString(config.tcpUserTimeoutMillis()));
            ps.setString(5, config.lockWaitTimeout.toMillis() + "ms");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getObject(7) == null) {
                    log.warn(
                            "Elector '{}' of group '{}' is connected over a Unix socket: TCP keepalive does not apply,"
                                    + " serverReleaseAfter is not enforced by the server",
                            config.instanceId,
                            config.group);
                }
            }
        }
    }

    static ElectorRefusal standby(ElectorConfig config) {
        return standby(config, "is connected to");
    }

    /** The refusal of a standby; {@code found} says when it was seen ("is connected to", "found on its check"). */
    static ElectorRefusal standby(ElectorConfig config, String found) {
        return new ElectorRefusal("Elector '" + config.instanceId + "' of group '" + config.group + "' " + found
                + " a hot standby (pg_is_in_recovery() = true, " + config.source + "): advisory locks are never"
                + " replicated, so a lock taken there does not exclude the primary's leader. Connect to the primary"
                + " (pgjdbc: targetServerType=primary)");
    }

    int backendPid() {
        return backendPid;
    }

    /** Waits natively for the lock, up to {@code lock_timeout}; false if it timed out or was cancelled. */
    boolean awaitLock() throws SQLException {
        try (ResultSet rs = lockStatement.executeQuery()) {
            rs.next();
            return true;
        } catch (SQLException e) {
            if (SqlStates.LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                return false;
            }
            if (SqlStates.QUERY_CANCELED.equals(e.getSQLState())) {
                // A cancel that lands just after the grant fails the statement but keeps the lock: ask pg_locks.
                return check().held;
            }
            throw e;
        }
    }

    /** Ends a blocked {@link #awaitLock()} from another thread. */
    void cancel() {
        try {
            lockStatement.cancel();
        } catch (SQLException | RuntimeException e) {
            log.debug("Cancel of the lock wait failed", e);
        }
    }

    /**
     * Takes the group's next term in the same session that holds the lock (above the last one and above every term of
     * an earlier timeline, see {@link LeaderTerms}); returns it.
     */
    long bumpTerm() throws SQLException {
        try (ResultSet rs = bumpStatement.executeQuery()) {
            rs.next();
            long term = rs.getLong(1);
            long timeline = rs.getLong(2);
            if (LeaderTerms.timelineOf(term) > timeline) {
                // Still higher than every earlier term, but a failover may now repeat one: its floor is below us.
                log.warn(
                        "Elector '{}' of group '{}' took term {}, ahead of the server's timeline {} (terms table copied"
                                + " from another cluster, or {} elections on one timeline): terms still increase, but"
                                + " one taken after a failover may repeat a term the old primary handed out",
                        config.instanceId,
                        config.group,
                        term,
                        timeline,
                        LeaderTerms.TERMS_PER_TIMELINE);
            }
            return term;
        }
    }

    /** One check: same backend, a primary, and whether we hold the key. */
    Check check() throws SQLException {
        try (ResultSet rs = checkStatement.executeQuery()) {
            rs.next();
            return new Check(rs.getInt(1), rs.getBoolean(2), rs.getBoolean(3));
        }
    }

    /**
     * Reads the socket for up to {@code millis}: returns at once with an exception when the backend is terminated, the
     * server shuts down or the socket closes. Behind a wrapper that hides pgjdbc it just waits.
     */
    void watchSocket(int millis) throws SQLException, InterruptedException {
        if (pgConnection == null) {
            Thread.sleep(millis);
            return;
        }
        pgConnection.getNotifications(millis);
    }

    /** Releases the lock; false if PostgreSQL says it was not held. */
    boolean unlock() throws SQLException {
        try (ResultSet rs = unlockStatement.executeQuery()) {
            rs.next();
            unlockStatement.clearWarnings();
            return rs.getBoolean(1);
        }
    }

    /** Gives the connection back: unlock-all and close when healthy, evict or abort otherwise. */
    void discard(boolean healthy) {
        Sessions.discard(config.source, connection, healthy);
    }

    /** A check's findings. */
    static final class Check {
        final int pid;
        final boolean inRecovery;
        final boolean held;

        Check(int pid, boolean inRecovery, boolean held) {
            this.pid = pid;
            this.inRecovery = inRecovery;
            this.held = held;
        }
    }
}
