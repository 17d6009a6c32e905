package dev.baton.lock.internal;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.baton.BatonException;
import dev.baton.internal.LossWatcher;
import dev.baton.internal.PgLocks;
import dev.baton.internal.Sessions;
import dev.baton.internal.SqlStates;
import dev.baton.lock.LockHolder;
import dev.baton.lock.LockKey;
import dev.baton.lock.LockMode;
import java.net.SocketTimeoutException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PostgreSQL session that holds advisory locks: the client's main session, or a waiter session. A pgjdbc
 * connection serialises all use, so every statement runs under {@link #sessionLock}. When the session fails, its
 * generation ends (every hold taken on it turns invalid at once), the connection is discarded (evicted from a pool,
 * never handed back with locks), and the next operation opens a new one. A generation ends exactly once, by whichever
 * path sees the failure first (a statement, the heartbeat, the {@link LossWatcher}'s alarm, the watchdog), and only
 * that path reports the loss.
 *
 * <p>The main session holds its {@link LossWatcher} sentinel and is watched by the client's watcher; on the watcher's
 * alarm {@link #verify} runs one statement on it, which fails at once if the session ended. The {@link #watchdog}
 * gives up a session that holds locks and has not answered for {@code lossTimeout}, without waiting for
 * {@link #sessionLock} (a statement blocked on a silent server holds it): its holds are declared in doubt, its socket is
 * closed so the blocked caller fails at once, and the server releases the locks after {@code serverReleaseAfter}.
 */
final class PgSession {
    private static final Logger log = LoggerFactory.getLogger(PgSession.class);
    private final ClientConfig config;
    private final LockMetrics metrics;
    private final boolean waiter;
    private final BiConsumer<SessionHold, Throwable> onLost; // called with a hold of the lost generation
    private final LossWatcher watcher; // null for a waiter session
    private final long lossTimeoutNanos;
    private final ReentrantLock sessionLock = new ReentrantLock();

    @GuardedBy("sessionLock")
    private OpenSession open; // null while no connection is open

    @GuardedBy("sessionLock")
    private long openGen; // the generation of open; holds taken on it carry it

    @GuardedBy("sessionLock")
    private LossWatcher.Watched toWatch; // set by ensureOpen, handed to the watcher once sessionLock is released

    @GuardedBy("sessionLock")
    private boolean everConnected;

    @GuardedBy("sessionLock")
    private boolean closed;

    private final AtomicLong generation = new AtomicLong(); // ended by compareAndSet, read anywhere
    /** The open session's backend pid, 0 when none: read without the session lock (health checks). */
    private volatile int openPid;

    private volatile Statement waiting; // the blocking wait in flight, for cancel()

    // The watchdog's view, written under sessionLock, read without it.
    private volatile OpenSession live; // open, while its generation has not ended
    private volatile long liveGen;
    private final AtomicInteger holds = new AtomicInteger(); // server holds on the live generation, not yet released
    private volatile long lastAnswerNanos; // when the last statement that got an answer was sent
    private volatile String endedWhy; // set when the watchdog ended the live generation

    PgSession(
            ClientConfig config,
            LockMetrics metrics,
            boolean waiter,
            LossWatcher watcher,
            BiConsumer<SessionHold, Throwable> onLost) {
        this.config = config;
        this.metrics = metrics;
        this.waiter = waiter;
        this.watcher = watcher;
        this.onLost = onLost;
        this.lossTimeoutNanos = config.lossTimeout().toNanos();
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
        return call("try-lock " + key + " (" + mode + ")", s -> {
            PreparedStatement ps = s.statement(AdvisorySql.tryLock(mode));
            ps.setLong(1, key.value());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1) ? granted() : null;
            }
        });
    }

    /**
     * Takes the lock with a native wait of at most {@code waitMs}, for a session that already holds the key in the
     * other mode: its own request goes ahead of other sessions' queued waiters (a try-lock would fail behind them).
     * {@code lock_timeout} (55P03) fires only while still waiting, so null means "not granted", never "maybe".
     */
    SessionHold acquireOwnOtherMode(LockKey key, LockMode mode, long waitMs) {
        return call("lock " + key + " (" + mode + ") on the session holding its other mode", s -> {
            PreparedStatement ps = s.statement(AdvisorySql.bounded(mode));
            ps.setString(1, Math.max(1, waitMs) + "ms");
            ps.setLong(2, key.value());
            try {
                ps.executeQuery().close();
                // The wait's statement was sent long ago (up to a slice): its send time says nothing about when the
                // server last heard from us, and the watchdog would take this fresh hold for one in doubt. One more
                // round trip, on this slow path only, gives the hold a send time of now.
                long probe = System.nanoTime();
                try (Statement st = s.connection().createStatement()) {
                    st.execute("SELECT 1");
                }
                answeredAfterWait(probe);
                return granted();
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
        return call("wait for " + key + " (" + mode + ")", s -> {
            PreparedStatement ps = s.statement(AdvisorySql.await(mode));
            try (Statement set = s.connection().createStatement()) {
                set.execute("SET lock_timeout = " + Math.max(1, sliceMs));
            }
            ps.setLong(1, key.value());
            waiting = ps;
            // This read is meant to block for up to the slice: widen the socket bound by it for this statement.
            s.connection().setNetworkTimeout(Runnable::run, (int) Math.min(Integer.MAX_VALUE, sliceMs + lossMillis()));
            try {
                if (cancelled.get()) {
                    return null; // cancelled before the statement could be: do not start it
                }
                ps.executeQuery().close();
                // The wait's statement was sent long ago (up to a slice): its send time says nothing about when the
                // server last heard from us, and the watchdog would take this fresh hold for one in doubt. One more
                // round trip, on this slow path only, gives the hold a send time of now.
                long probe = System.nanoTime();
                try (Statement st = s.connection().createStatement()) {
                    st.execute("SELECT 1");
                }
                answeredAfterWait(probe);
                return granted();
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
                if (!s.connection().isClosed()) {
                    s.connection().setNetworkTimeout(Runnable::run, lossMillis());
                }
            }
        });
    }

    // Runs in the body given to call(), under sessionLock; Error Prone cannot see that through the lambda.
    @SuppressWarnings("GuardedBy")
    private SessionHold granted() {
        holds.incrementAndGet();
        return new SessionHold(openGen);
    }

    private int lossMillis() {
        return (int) config.lossTimeout().toMillis();
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

    /**
     * Whether another session waits for {@code key} exclusively ({@code pg_locks}, run on the session of {@code hold},
     * which holds the key shared); false without a round trip if {@code hold} is already gone.
     */
    boolean exclusiveWaiter(LockKey key, SessionHold hold) {
        if (!hold.valid()) {
            return false;
        }
        return call("look for exclusive waiters of " + key, s -> {
            if (!hold.valid()) {
                return false; // reconnected: the hold is gone, and the engine asks the server again
            }
            PreparedStatement ps = s.statement(AdvisorySql.EXCLUSIVE_WAITER);
            PgLocks.bindKey(ps, 1, key.value());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        });
    }

    /** Unlocks one hold; false if PostgreSQL said it was not held. Never throws: a failure discards the session. */
    boolean release(LockKey key, LockMode mode, SessionHold hold) {
        Throwable lostCause = null;
        SessionHold lost = null;
        sessionLock.lock();
        try {
            if (!hold.valid() || open == null || hold.gen != openGen) {
                return true; // the session it was held on is gone, and the lock with it
            }
            PreparedStatement ps = open.statement(AdvisorySql.unlock(mode));
            ps.setLong(1, key.value());
            long sent = System.nanoTime();
            try (ResultSet rs = ps.executeQuery()) {
                answered(sent);
                holds.updateAndGet(h -> Math.max(0, h - 1));
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
            long gen = openGen;
            if (discard(false)) {
                lost = new SessionHold(gen);
                lostCause = e;
            }
            return true;
        } finally {
            sessionLock.unlock();
            if (lost != null) {
                onLost.accept(lost, lostCause);
            }
        }
    }

    /** The open session's backend pid, if any; never blocks. */
    java.util.OptionalInt pid() {
        int pid = openPid;
        return pid == 0 ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(pid);
    }

    List<LockHolder> holders(LockKey key) {
        return call("list holders of " + key, s -> AdvisorySql.holders(s.connection(), key));
    }

    /** Checks a live session; a dead one is discarded and reported. Skipped while a statement runs (it is a check). */
    void heartbeat() {
        if (!sessionLock.tryLock()) {
            return;
        }
        SessionHold lost = null;
        BatonException why = null;
        try {
            dropEnded();
            if (open == null || closed) {
                return;
            }
            // One round trip, as isValid() would be, that also sees a server turned standby (a failed-over primary
            // brought back as a replica): holds there exclude nobody on the new primary. The session's network
            // timeout (lossTimeout) bounds the read, so a silent server fails it; a query timeout alone would only
            // send a cancel, which a black-holed network loses too.
            PreparedStatement ps = open.statement(AdvisorySql.IN_RECOVERY);
            long sent = System.nanoTime();
            boolean standby;
            try (ResultSet rs = ps.executeQuery()) {
                answered(sent);
                rs.next();
                standby = rs.getBoolean(1);
            }
            if (standby) {
                long gen = openGen;
                if (discard(false)) {
                    why = OpenSession.standby(config);
                    lost = new SessionHold(gen);
                }
            }
        } catch (SQLException e) {
            long gen = openGen;
            if (discard(false)) {
                why = new BatonException(
                        "Heartbeat found the session to PostgreSQL dead (SQLState " + e.getSQLState() + ")", e);
                lost = new SessionHold(gen);
            }
        } finally {
            sessionLock.unlock();
        }
        if (lost != null) {
            onLost.accept(lost, why);
        }
    }

    /**
     * The loss watcher's alarm for {@code watched}: one statement on the session proves it alive (and takes its sentinel
     * again if it was released) or finds it dead, which is reported as a loss like any failed statement. Runs on the
     * watcher's thread; waits for a statement in flight, which on a dead session fails at once by itself.
     *
     * @return true if the watched session turned out to be gone (now or before)
     */
    boolean verify(LossWatcher.Watched watched, boolean granted, Throwable alarm) {
        SessionHold lost = null;
        Throwable why = null;
        LossWatcher.Watched again = null;
        sessionLock.lock();
        try {
            dropEnded();
            if (closed || open == null || openGen != watched.token()) {
                return true; // that generation already ended, and whoever ended it reported it
            }
            PreparedStatement ps = open.statement(AdvisorySql.SENTINEL);
            long sent = System.nanoTime();
            boolean sentinel;
            try (ResultSet rs = ps.executeQuery()) {
                answered(sent);
                rs.next();
                sentinel = rs.getBoolean(1);
            }
            if (sentinel) {
                again = watched; // alive: the watcher's own connection failed, or the sentinel was given up
            } else {
                log.warn(
                        "LockClient '{}': another session took the loss-watcher sentinel of backend pid {}; loss of"
                                + " this session is noticed by the heartbeat only",
                        config.instanceId(),
                        open.pid());
            }
            if (granted) {
                log.warn(
                        "LockClient '{}': the loss watcher was granted the sentinel of a live session",
                        config.instanceId());
            }
            return false;
        } catch (SQLException e) {
            long gen = openGen;
            if (discard(false)) {
                lost = new SessionHold(gen);
                why = new BatonException(
                        "The session to PostgreSQL (backend pid " + watched.pid() + ") ended (SQLState "
                                + e.getSQLState() + "); noticed by the loss watcher: " + alarm.getMessage(),
                        e);
            }
            return true;
        } finally {
            sessionLock.unlock();
            if (lost != null) {
                onLost.accept(lost, why);
            }
            if (again != null) {
                watcher.watch(again);
            }
        }
    }

    /**
     * Gives up the live generation if it holds locks and has not answered for {@code lossTimeout}: its holds turn
     * invalid and are reported in doubt, its socket is closed (a caller blocked on it fails at once). Never waits for
     * {@link #sessionLock}. Timing contract: a statement that got an answer was sent at {@code lastAnswerNanos}, so
     * the server heard from this session no earlier than that, and drops it no earlier than {@code serverReleaseAfter}
     * later; this fires at most {@code lossTimeout} plus one watchdog tick after it.
     */
    void watchdog(long nowNanos) {
        OpenSession o = live;
        if (o == null || holds.get() == 0) {
            return;
        }
        long silentNanos = nowNanos - lastAnswerNanos;
        if (silentNanos <= lossTimeoutNanos) {
            return;
        }
        long gen = liveGen;
        String why = "PostgreSQL did not answer client '" + config.instanceId() + "' (backend pid " + o.pid()
                + ") for " + TimeUnit.NANOSECONDS.toMillis(silentNanos) + " ms, more than lossTimeout ("
                + config.lossTimeout().toMillis() + " ms): its holds are in doubt and given up; the server releases"
                + " them after serverReleaseAfter ("
                + config.serverRelease().after().toMillis() + " ms) at the"
                + " latest, and the next operation opens a new session";
        if (!generation.compareAndSet(gen, gen + 1)) {
            return; // ended already, by a path that reported it
        }
        endedWhy = why; // before the abort: the caller it fails reads it
        live = null;
        o.abort();
        onLost.accept(new SessionHold(gen), new HoldsInDoubt(why));
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

    private <T> T call(String operation, Work<T> body) {
        Throwable lostCause = null;
        SessionHold lost = null;
        LossWatcher.Watched watch = null;
        sessionLock.lock();
        try {
            OpenSession s = ensureOpen();
            watch = toWatch;
            toWatch = null;
            long sent = System.nanoTime();
            T result = body.apply(s);
            answered(sent);
            return result;
        } catch (SQLException e) {
            long gen = openGen;
            boolean endedElsewhere = open != null && generation.get() != gen;
            String given = endedWhy;
            if (open == null || endedElsewhere || SqlStates.sessionFailed(e, open.connection())) {
                if (discard(false)) {
                    lost = new SessionHold(gen);
                    lostCause = e;
                }
                String why = endedElsewhere && given != null
                        ? given
                        : e.getCause() instanceof SocketTimeoutException
                                ? "PostgreSQL did not answer within lossTimeout (" + lossMillis()
                                        + " ms, the session's network timeout)"
                                : "the session to PostgreSQL was lost (SQLState " + e.getSQLState() + ")";
                throw new BatonException(
                        operation + " failed for client '" + config.instanceId() + "': " + why
                                + "; the next operation reconnects",
                        e);
            }
            throw new BatonException(
                    operation + " failed for client '" + config.instanceId() + "' (SQLState " + e.getSQLState() + "): "
                            + e.getMessage(),
                    e);
        } finally {
            sessionLock.unlock();
            if (lost != null) {
                onLost.accept(lost, lostCause);
            }
            if (watch != null) {
                watcher.watch(watch); // may send a cancel: not under sessionLock
            }
        }
    }

    @GuardedBy("sessionLock")
    private void answered(long sentNanos) {
        // Never backwards: a statement's own send time may precede a later round trip made inside it.
        if (sentNanos - lastAnswerNanos > 0) { // nanoTime values compare by difference
            lastAnswerNanos = sentNanos;
        }
    }

    // Runs in the body given to call(), under sessionLock; Error Prone cannot see that through the lambda.
    @SuppressWarnings("GuardedBy")
    private void answeredAfterWait(long sentNanos) {
        answered(sentNanos);
    }

    @GuardedBy("sessionLock")
    private OpenSession ensureOpen() throws SQLException {
        if (closed) {
            throw new IllegalStateException("LockClient '" + config.instanceId() + "' is closed; create a new client");
        }
        dropEnded();
        if (open != null) {
            return open;
        }
        OpenSession opened = OpenSession.open(config, waiter);
        int pid = opened.pid();
        open = opened;
        openGen = generation.get();
        holds.set(0);
        lastAnswerNanos = System.nanoTime();
        liveGen = openGen;
        live = opened;
        if (opened.sentinel() && watcher != null) {
            toWatch = new LossWatcher.Watched(openGen, pid);
        }
        openPid = pid;
        if (everConnected && !waiter) {
            metrics.reconnected();
            log.info("Client '{}' opened a new PostgreSQL session (backend pid {})", config.instanceId(), pid);
        }
        everConnected = true;
        return opened;
    }

    /** Discards a connection whose generation the watchdog ended (it only closed the socket). */
    @GuardedBy("sessionLock")
    private void dropEnded() {
        if (open != null && generation.get() != openGen) {
            discard(false);
        }
    }

    /**
     * Ends the open generation (if no one else did) and discards its connection.
     *
     * @return true if this call ended it, so the caller reports the loss
     */
    @GuardedBy("sessionLock")
    private boolean discard(boolean healthy) {
        boolean ended = generation.compareAndSet(openGen, openGen + 1);
        OpenSession o = open;
        open = null;
        live = null;
        holds.set(0);
        openPid = 0;
        if (o != null) {
            Sessions.discard(config.source(), o.connection(), healthy);
        }
        return ended;
    }

    /** Work on the open session, run under {@link #sessionLock}. */
    @FunctionalInterface
    private interface Work<T> {
        T apply(OpenSession session) throws SQLException;
    }
}
