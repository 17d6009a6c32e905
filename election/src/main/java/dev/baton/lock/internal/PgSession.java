package dev.baton.lock.internal;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.baton.BatonException;
import dev.baton.internal.Sessions;
import dev.baton.internal.SqlStates;
import dev.baton.lock.LockHolder;
import dev.baton.lock.LockKey;
import dev.baton.lock.LockMode;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PostgreSQL session that holds advisory locks: the client's main session, or a waiter session. A pgjdbc
 * connection serialises all use, so every statement runs under {@link #sessionLock}. When the session fails, its
 * generation is bumped (every hold taken on it turns invalid at once), the connection is discarded (evicted from a
 * pool, never handed back with locks), and the next operation opens a new one.
 */
final class PgSession {
    private static final Logger log = LoggerFactory.getLogger(PgSession.class);
    private final ClientConfig config;
    private final LockMetrics metrics;
    private final boolean waiter;
    private final BiConsumer<SessionHold, Throwable> onLost; // called with a hold of the lost generation
    private final ReentrantLock sessionLock = new ReentrantLock();

    @GuardedBy("sessionLock")
    private OpenSession open; // null while no connection is open

    @GuardedBy("sessionLock")
    private boolean everConnected;

    @GuardedBy("sessionLock")
    private boolean closed;

    private final AtomicLong generation = new AtomicLong(); // bumped under sessionLock, read anywhere
    private volatile Statement waiting; // the blocking wait in flight, for cancel()

    PgSession(ClientConfig config, LockMetrics metrics, boolean waiter, BiConsumer<SessionHold, Throwable> onLost) {
        this.config = config;
        this.metrics = metrics;
        this.waiter = waiter;
        this.onLost = onLost;
    }

    /** A hold on this session, valid while the session that took it lives. */
    final class SessionHold implements Backend.ServerHold {
        private final long gen;

        private SessionHold(long gen) {
            this.gen = gen;
        }

        @Override
        public boolean valid() {
            return generation.get() == gen;
        }

        PgSession session() {
            return PgSession.this;
        }

        /** Whether {@code other} was taken on the same session in the same generation as this one. */
        boolean sameSessionAs(SessionHold other) {
            return other.session() == PgSession.this && other.gen == gen;
        }
    }

    /** Takes the lock without waiting; null if another session holds it. */
    SessionHold tryAcquire(LockKey key, LockMode mode) {
        return call("try-lock ", key, mode, "", s -> {
            PreparedStatement ps = s.statement(AdvisorySql.tryLock(mode));
            ps.setLong(1, key.value());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1) ? new SessionHold(generation.get()) : null;
            }
        });
    }

    /**
     * Takes the lock with a native wait of at most {@code waitMs}, for a session that already holds the key in the
     * other mode: its own request goes ahead of other sessions' queued waiters (a try-lock would fail behind them).
     * {@code lock_timeout} (55P03) fires only while still waiting, so null means "not granted", never "maybe".
     */
    SessionHold acquireOwnOtherMode(LockKey key, LockMode mode, long waitMs) {
        return call("lock ", key, mode, " on the session holding its other mode", s -> {
            PreparedStatement ps = s.statement(AdvisorySql.bounded(mode));
            ps.setString(1, Math.max(1, waitMs) + "ms");
            ps.setLong(2, key.value());
            try {
                ps.executeQuery().close();
                return new SessionHold(generation.get());
            } catch (SQLException e) {
                if (SqlStates.LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                    return null;
                }
                throw e;
            }
        });
    }

    /**
     * Waits natively for the lock, at most {@code sliceMs} ({@code lock_timeout}); {@link #cancelWait()} ends it
     * early. Returns the hold, or null if the wait ended without one. A timeout or cancel can land just after the grant,
     * so on either this session runs {@code pg_advisory_unlock_all()}: a waiter session holds nothing else.
     */
    SessionHold awaitAcquire(LockKey key, LockMode mode, long sliceMs, AtomicBoolean cancelled) {
        return call("wait for ", key, mode, "", s -> {
            PreparedStatement ps = s.statement(AdvisorySql.await(mode));
            try (Statement set = s.connection().createStatement()) {
                set.execute("SET lock_timeout = " + Math.max(1, sliceMs));
            }
            ps.setLong(1, key.value());
            waiting = ps;
            try {
                if (cancelled.get()) {
                    return null; // cancelled before the statement could be: do not start it
                }
                ps.executeQuery().close();
                return new SessionHold(generation.get());
            } catch (SQLException e) {
                String state = e.getSQLState();
                if (!SqlStates.LOCK_NOT_AVAILABLE.equals(state) && !SqlStates.QUERY_CANCELED.equals(state)) {
                    throw e;
                }
                try (Statement st = s.connection().createStatement()) {
                    st.execute("SELECT pg_advisory_unlock_all()");
                }
                return null;
            } finally {
                waiting = null;
            }
        });
    }

    /**
     * Cancels a wait in flight, from another thread. pgjdbc ignores a cancel of a statement that is not yet running,
     * so callers repeat it until the wait returns (the flag they passed stops a wait that has not started).
     */
    void cancelWait() {
        Statement st = waiting;
        if (st != null) {
            try {
                st.cancel();
            } catch (SQLException e) {
                log.debug("Cancel of a lock wait failed", e);
            }
        }
    }

    /** Unlocks one hold; false if PostgreSQL said it was not held. Never throws: a failure discards the session. */
    boolean release(LockKey key, LockMode mode, SessionHold hold) {
        Throwable lostCause = null;
        SessionHold lost = null;
        sessionLock.lock();
        try {
            if (!hold.valid() || open == null) {
                return true; // the session it was held on is gone, and the lock with it
            }
            PreparedStatement ps = open.statement(AdvisorySql.unlock(mode));
            ps.setLong(1, key.value());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                boolean held = rs.getBoolean(1);
                ps.clearWarnings(); // "you don't own a lock" comes as a warning; do not let them pile up
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
            lost = new SessionHold(generation.get());
            lostCause = e;
            discard(false);
            return true;
        } finally {
            sessionLock.unlock();
            if (lost != null) {
                onLost.accept(lost, lostCause);
            }
        }
    }

    List<LockHolder> holders(LockKey key) {
        return call("list holders of ", key, null, "", s -> AdvisorySql.holders(s.connection(), key));
    }

    /** Checks a live session; a dead one is discarded and reported. Skipped while a statement runs (it is a check). */
    void heartbeat() {
        if (!sessionLock.tryLock()) {
            return;
        }
        SessionHold lost = null;
        BatonException why = null;
        try {
            if (open == null || closed) {
                return;
            }
            // One round trip, as isValid() would be, that also sees a server turned standby (a failed-over primary
            // brought back as a replica): holds there exclude nobody on the new primary.
            PreparedStatement ps = open.statement(AdvisorySql.IN_RECOVERY);
            ps.setQueryTimeout(5);
            // A query timeout only sends a cancel, which a black-holed network loses too: bound the socket read as
            // isValid(5) did, so a silent server is found dead in seconds, not when TCP gives up.
            int before = open.connection().getNetworkTimeout();
            open.connection().setNetworkTimeout(Runnable::run, 7000);
            boolean standby;
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                standby = rs.getBoolean(1);
            } finally {
                open.connection().setNetworkTimeout(Runnable::run, before);
            }
            if (standby) {
                why = OpenSession.standby(config);
                lost = new SessionHold(generation.get());
                discard(false);
            }
        } catch (SQLException e) {
            why = new BatonException(
                    "Heartbeat found the session to PostgreSQL dead (SQLState " + e.getSQLState() + ")", e);
            lost = new SessionHold(generation.get());
            discard(false);
        } finally {
            sessionLock.unlock();
        }
        if (lost != null) {
            onLost.accept(lost, why);
        }
    }

    /** Releases everything and closes the session; it cannot be used again. */
    void close() {
        cancelWait();
        sessionLock.lock();
        try {
            closed = true;
            if (open != null) {
                discard(true);
            } else {
                generation.incrementAndGet();
            }
        } finally {
            sessionLock.unlock();
        }
    }

    /**
     * Runs {@code body} on the open session. The operation's description ({@code verb}, key, mode, {@code suffix})
     * is built only for an exception: building it for every call cost a string concatenation and
     * {@link LockKey#toString()} on each try-lock, a measurable share of Baton's own time per lock + unlock.
     */
    private <T> T call(String verb, LockKey key, LockMode mode, String suffix, Work<T> body) {
        Throwable lostCause = null;
        SessionHold lost = null;
        sessionLock.lock();
        try {
            return body.apply(ensureOpen());
        } catch (SQLException e) {
            if (open == null || SqlStates.sessionFailed(e, open.connection())) {
                lost = new SessionHold(generation.get());
                lostCause = e;
                discard(false);
                throw new BatonException(
                        describe(verb, key, mode, suffix) + " failed for client '" + config.instanceId()
                                + "': the session to PostgreSQL was lost (SQLState " + e.getSQLState() + "); the next"
                                + " operation reconnects",
                        e);
            }
            throw new BatonException(
                    describe(verb, key, mode, suffix) + " failed for client '" + config.instanceId() + "' (SQLState "
                            + e.getSQLState() + "): " + e.getMessage(),
                    e);
        } finally {
            sessionLock.unlock();
            if (lost != null) {
                onLost.accept(lost, lostCause);
            }
        }
    }

    private static String describe(String verb, LockKey key, LockMode mode, String suffix) {
        return verb + key + (mode == null ? "" : " (" + mode + ")") + suffix;
    }

    @GuardedBy("sessionLock")
    private OpenSession ensureOpen() throws SQLException {
        if (closed) {
            throw new IllegalStateException("LockClient '" + config.instanceId() + "' is closed; create a new client");
        }
        if (open != null) {
            return open;
        }
        OpenSession opened = OpenSession.open(config, waiter);
        int pid = opened.pid();
        open = opened;
        if (everConnected && !waiter) {
            metrics.reconnected();
            log.info("Client '{}' opened a new PostgreSQL session (backend pid {})", config.instanceId(), pid);
        }
        everConnected = true;
        return opened;
    }

    @GuardedBy("sessionLock")
    private void discard(boolean healthy) {
        generation.incrementAndGet();
        OpenSession o = open;
        open = null;
        if (o != null) {
            Sessions.discard(config.source(), o.connection(), healthy);
        }
    }

    /** Work on the open session, run under {@link #sessionLock}. */
    @FunctionalInterface
    private interface Work<T> {
        T apply(OpenSession session) throws SQLException;
    }
}
