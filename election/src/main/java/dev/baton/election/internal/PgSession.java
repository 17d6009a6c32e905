package dev.baton.election.internal;

import dev.baton.election.BatonException;
import dev.baton.election.LockHolder;
import dev.baton.election.LockKey;
import dev.baton.election.LockMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's one PostgreSQL session, on which every lock of the client is held. A pgjdbc connection serialises all
 * use, so every statement runs under {@link #sessionLock}. When the session fails, the generation is bumped (so every
 * hold taken on it turns invalid at once), the connection is discarded, and the next operation opens a new one.
 */
final class PgSession {
    private static final Logger log = LoggerFactory.getLogger(PgSession.class);
    private static final String HOLDERS_SQL = "SELECT l.pid, coalesce(a.application_name, ''), l.mode,"
            + " coalesce(a.backend_start, now()) FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid"
            + " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
            + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            + " AND l.classid::bigint = ? AND l.objid::bigint = ? ORDER BY l.mode, l.pid";

    private final ClientConfig config;
    private final LockMetrics metrics;
    private final BiConsumer<Long, Throwable> onLost;
    private final ReentrantLock sessionLock = new ReentrantLock();
    private Connection connection; // guarded by sessionLock
    private PreparedStatement[] statements; // guarded by sessionLock; try EX, try SH, unlock EX, unlock SH
    private int backendPid; // guarded by sessionLock
    private boolean everConnected; // guarded by sessionLock
    private boolean closed; // guarded by sessionLock
    private volatile long generation;

    PgSession(ClientConfig config, LockMetrics metrics, BiConsumer<Long, Throwable> onLost) {
        this.config = config;
        this.metrics = metrics;
        this.onLost = onLost;
    }

    long generation() {
        return generation;
    }

    /** Returns the generation the lock was taken in, or -1 if another session holds it. */
    long tryAcquire(LockKey key, LockMode mode) {
        return call("try-lock " + key + " (" + mode + ")", c -> {
            PreparedStatement ps = statements[mode.ordinal()];
            ps.setLong(1, key.value());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1) ? generation : -1L;
            }
        });
    }

    /** Unlocks one hold; false if PostgreSQL said it was not held. Never throws: a failure discards the session. */
    boolean release(LockKey key, LockMode mode, long gen) {
        sessionLock.lock();
        Throwable lostCause = null;
        long lostGen = 0;
        try {
            if (gen != generation || connection == null) {
                return true; // the session it was held on is gone, and the lock with it
            }
            PreparedStatement ps = statements[2 + mode.ordinal()];
            ps.setLong(1, key.value());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                boolean held = rs.getBoolean(1);
                ps.clearWarnings(); // "you don't own a lock" arrives as a warning; do not let them pile up
                return held;
            }
        } catch (SQLException | RuntimeException e) {
            // Whether the unlock happened is unknown: drop the session so the server releases everything it held.
            log.warn(
                    "Unlock of {} ({}) failed for client '{}'; discarding the session",
                    key,
                    mode,
                    config.instanceId(),
                    e);
            lostGen = generation;
            lostCause = e;
            discard(false);
            return true;
        } finally {
            sessionLock.unlock();
            if (lostCause != null) {
                onLost.accept(lostGen, lostCause);
            }
        }
    }

    List<LockHolder> holders(LockKey key) {
        return call("list holders of " + key, c -> {
            try (PreparedStatement ps = c.prepareStatement(HOLDERS_SQL)) {
                ps.setLong(1, key.value() >>> 32);
                ps.setLong(2, key.value() & 0xffffffffL);
                List<LockHolder> holders = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        LockMode mode = "ExclusiveLock".equals(rs.getString(3)) ? LockMode.EXCLUSIVE : LockMode.SHARED;
                        holders.add(new LockHolder(
                                rs.getInt(1),
                                rs.getString(2),
                                mode,
                                rs.getTimestamp(4).toInstant()));
                    }
                }
                return holders;
            }
        });
    }

    /**
     * Checks a live session; a dead one is discarded and reported. Skipped when the session is busy (the running
     * statement is itself a check) or not open.
     */
    void heartbeat() {
        if (!sessionLock.tryLock()) {
            return;
        }
        long lostGen = 0;
        boolean lost = false;
        try {
            if (connection == null || closed) {
                return;
            }
            if (!connection.isValid(5)) {
                lostGen = generation;
                lost = true;
                discard(false);
            }
        } catch (SQLException e) {
            lostGen = generation;
            lost = true;
            discard(false);
        } finally {
            sessionLock.unlock();
        }
        if (lost) {
            onLost.accept(lostGen, new BatonException("Heartbeat found the session to PostgreSQL dead"));
        }
    }

    /** Releases everything and closes the session. */
    void close() {
        sessionLock.lock();
        try {
            closed = true;
            if (connection != null) {
                discard(true);
            }
        } finally {
            sessionLock.unlock();
        }
    }

    private <T> T call(String operation, SqlFunction<T> body) {
        sessionLock.lock();
        Throwable lostCause = null;
        long lostGen = 0;
        try {
            ensureOpen();
            return body.apply(connection);
        } catch (SQLException e) {
            if (SqlStates.sessionFailed(e, connection)) {
                lostGen = generation;
                lostCause = e;
                discard(false);
                throw new BatonException(
                        operation + " failed for client '" + config.instanceId()
                                + "': the session to PostgreSQL was lost (SQLState " + e.getSQLState() + "); the next"
                                + " operation reconnects",
                        e);
            }
            throw new BatonException(
                    operation + " failed for client '" + config.instanceId() + "' (SQLState " + e.getSQLState() + "): "
                            + e.getMessage(),
                    e);
        } finally {
            sessionLock.unlock();
            if (lostCause != null) {
                onLost.accept(lostGen, lostCause);
            }
        }
    }

    // guarded by sessionLock
    private void ensureOpen() throws SQLException {
        if (closed) {
            throw new IllegalStateException("LockClient '" + config.instanceId() + "' is closed; create a new client");
        }
        if (connection != null) {
            return;
        }
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
            backendPid = SessionSetup.apply(c, config.applicationName(), false);
            statements = new PreparedStatement[] {
                c.prepareStatement("SELECT pg_try_advisory_lock(?)"),
                c.prepareStatement("SELECT pg_try_advisory_lock_shared(?)"),
                c.prepareStatement("SELECT pg_advisory_unlock(?)"),
                c.prepareStatement("SELECT pg_advisory_unlock_shared(?)")
            };
        } catch (SQLException | RuntimeException e) {
            SessionSetup.discard(config.source(), c, false);
            throw e;
        }
        connection = c;
        if (everConnected) {
            metrics.reconnected();
            log.info("Client '{}' opened a new PostgreSQL session (backend pid {})", config.instanceId(), backendPid);
        }
        everConnected = true;
    }

    // guarded by sessionLock
    private void discard(boolean healthy) {
        generation++;
        Connection c = connection;
        connection = null;
        statements = null;
        SessionSetup.discard(config.source(), c, healthy);
    }

    @FunctionalInterface
    interface SqlFunction<T> {
        T apply(Connection connection) throws SQLException;
    }
}
