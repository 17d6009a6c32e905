package dev.baton.lock.internal;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.baton.internal.Threads;
import dev.baton.lock.LockKey;
import dev.baton.lock.LockMode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;

/**
 * Waiter sessions: a thread that must wait for another session's lock blocks natively in {@code pg_advisory_lock} on
 * a waiter session of its own (bounded by {@code lock_timeout}), so it is granted the lock within milliseconds of any
 * release — graceful, a crash, or a foreign client — in PostgreSQL's FIFO order, without polling. The granted hold
 * stays on that session (it is "pinned") until the key's last local hold is released; then the session goes back to
 * the idle list for the next wait.
 *
 * <p>The blocking statement runs on a pool thread so that the caller can be interrupted: an interrupt cancels the
 * statement. At most {@code maxWaiterConnections} waiter sessions exist (waiting or pinned); past that, waits poll
 * the main session every 25 ms. A session idle (neither waiting nor holding) for {@code waiterIdleTimeout} is closed
 * on the next heartbeat, so a burst of waits does not leave its connections open for the client's lifetime; the
 * idle list is kept most-recent-first, so the sessions reused are the warm ones and the oldest ones age out.
 *
 * <p>The lists of sessions are guarded by {@link #lock}; no SQL runs under it.
 */
final class WaiterSessions {
    private static final long MAX_SLICE_MS = 30_000;
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(25);

    private final ClientConfig config;
    private final LockMetrics metrics;
    private final BiConsumer<PgSession.SessionHold, Throwable> onLost;
    private final ExecutorService executor;
    private final Object lock = new Object();

    @GuardedBy("lock")
    private final Deque<Idle> idle = new ArrayDeque<>(); // most recently used first

    @GuardedBy("lock")
    private final Set<PgSession> lent = new HashSet<>(); // waiting right now

    @GuardedBy("lock")
    private final Map<PgSession, Integer> pinned = new HashMap<>(); // session -> holds on it

    @GuardedBy("lock")
    private int open;

    @GuardedBy("lock")
    private boolean closed;

    WaiterSessions(ClientConfig config, LockMetrics metrics, BiConsumer<PgSession.SessionHold, Throwable> onLost) {
        this.config = config;
        this.metrics = metrics;
        this.onLost = onLost;
        this.executor = Executors.newCachedThreadPool(Threads.numbered("baton-lock-waiter-" + config.instanceId()));
        metrics.waiterSessions(this::open);
    }

    /** A session back on the idle list, and since when ({@link System#nanoTime()}). */
    private record Idle(PgSession session, long sinceNanos) {}

    /** Waits for the lock on a waiter session; null if the wait (or a slice of it) ended without a grant. */
    Backend.ServerHold awaitAcquire(LockKey key, LockMode mode, long deadline, boolean interruptible)
            throws InterruptedException {
        PgSession session = borrow();
        if (session == null) {
            pause(Math.min(POLL_NANOS, Deadline.remainingNanos(deadline)), interruptible);
            return null;
        }
        long sliceMs = Math.max(1, Math.min(MAX_SLICE_MS, Deadline.remainingMillis(deadline)));
        AtomicBoolean cancelled = new AtomicBoolean();
        PgSession.SessionHold hold = null;
        boolean reassert = false;
        try {
            Future<PgSession.SessionHold> wait;
            try {
                wait = executor.submit(() -> session.awaitAcquire(key, mode, sliceMs, cancelled));
            } catch (RejectedExecutionException closing) {
                return null; // the client is closing; the engine's next step reports it
            }
            for (; ; ) {
                try {
                    hold = wait.get();
                    return hold;
                } catch (InterruptedException e) {
                    if (!interruptible) {
                        reassert = true;
                        continue;
                    }
                    // The cancel may lose the race with a grant: then we hold it and must give it back.
                    PgSession.SessionHold late = cancelAndFinish(session, cancelled, wait);
                    if (late != null) {
                        session.release(key, mode, late);
                    }
                    throw e;
                } catch (ExecutionException e) {
                    // The waiter session failed (it reconnects on its next use); do not spin on a server that
                    // refuses connections: the engine's next try on the main session reports a real outage.
                    pause(POLL_NANOS, false);
                    return null;
                }
            }
        } finally {
            settle(session, hold);
            if (reassert) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One fewer hold on a waiter session; with none left it is free for the next wait. */
    void released(PgSession session) {
        synchronized (lock) {
            Integer holds = pinned.get(session);
            if (holds == null) {
                return;
            }
            if (holds > 1) {
                pinned.put(session, holds - 1);
                return;
            }
            pinned.remove(session);
            if (!closed) {
                idle.addFirst(new Idle(session, System.nanoTime()));
                return;
            }
        }
        session.close();
    }

    /** One more hold on a waiter session (an upgrade or downgrade taken on the session that holds the key). */
    void added(PgSession session) {
        synchronized (lock) {
            pinned.computeIfPresent(session, (s, holds) -> holds + 1);
        }
    }

    /** Heartbeats the waiter sessions that hold locks. */
    void heartbeat() {
        List<PgSession> holding;
        synchronized (lock) {
            holding = new ArrayList<>(pinned.keySet());
        }
        holding.forEach(PgSession::heartbeat);
    }

    /** Closes the sessions idle for longer than the idle timeout. */
    void closeIdle() {
        List<PgSession> expired = new ArrayList<>();
        long idleNanos = config.waiterIdleTimeout().toNanos();
        long now = System.nanoTime();
        synchronized (lock) {
            // Oldest at the back: stop at the first one still within its idle time.
            while (!idle.isEmpty() && now - idle.peekLast().sinceNanos() >= idleNanos) {
                expired.add(idle.pollLast().session());
                open--;
            }
        }
        expired.forEach(PgSession::close);
    }

    /** Waiter sessions open now: waiting, holding or idle. */
    int open() {
        synchronized (lock) {
            return open;
        }
    }

    /** Runs the watchdog over the waiter sessions that hold locks (without waiting for any of them). */
    void watchdog(long nowNanos) {
        List<PgSession> holding;
        synchronized (lock) {
            holding = new ArrayList<>(pinned.keySet());
        }
        for (PgSession s : holding) {
            s.watchdog(nowNanos);
        }
    }

    /** Cancels waits in flight and closes every waiter session (releasing what they hold). */
    void close() {
        List<PgSession> all;
        synchronized (lock) {
            closed = true;
            all = new ArrayList<>();
            idle.forEach(i -> all.add(i.session()));
            all.addAll(pinned.keySet());
            all.addAll(lent); // their waits are cancelled by close(); settle() finds them closed
            idle.clear();
        }
        all.forEach(PgSession::close);
        executor.shutdownNow();
    }

    private PgSession borrow() {
        PgSession session;
        synchronized (lock) {
            if (closed) {
                return null;
            }
            Idle warm = idle.pollFirst();
            session = warm != null ? warm.session() : null;
            if (session == null) {
                if (open >= config.maxWaiterConnections()) {
                    return null;
                }
                open++;
                session = new PgSession(config, metrics, true, null, onLost);
            }
            lent.add(session);
        }
        return session;
    }

    private void settle(PgSession session, PgSession.SessionHold hold) {
        synchronized (lock) {
            lent.remove(session);
            if (!closed) {
                if (hold != null) {
                    pinned.put(session, 1);
                } else {
                    idle.addFirst(new Idle(session, System.nanoTime()));
                }
                return;
            }
        }
        session.close();
    }

    /**
     * Cancels a wait and waits for it to end; returns the hold if the grant won the race. pgjdbc drops a cancel sent
     * before the statement runs, so the cancel is repeated until the wait returns (it is bounded by its slice).
     */
    private static PgSession.SessionHold cancelAndFinish(
            PgSession session, AtomicBoolean cancelled, Future<PgSession.SessionHold> wait) {
        cancelled.set(true);
        boolean interrupted = false;
        try {
            for (; ; ) {
                session.cancelWait();
                try {
                    return wait.get(50, TimeUnit.MILLISECONDS);
                } catch (TimeoutException stillRunning) {
                    // cancel again
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    return null;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Sleeps; an uninterruptible sleep keeps (and restores) an interrupt instead of returning at once. */
    private static void pause(long nanos, boolean interruptible) throws InterruptedException {
        if (nanos <= 0) {
            return;
        }
        if (interruptible) {
            TimeUnit.NANOSECONDS.sleep(nanos);
            return;
        }
        boolean interrupted = Thread.interrupted();
        for (long end = System.nanoTime() + nanos, left = nanos; left > 0; left = end - System.nanoTime()) {
            LockSupport.parkNanos(left);
            interrupted |= Thread.interrupted();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
