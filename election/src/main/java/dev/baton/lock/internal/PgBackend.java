package dev.baton.lock.internal;

import dev.baton.internal.LossWatcher;
import dev.baton.lock.LockHolder;
import dev.baton.lock.LockKey;
import dev.baton.lock.LockMode;
import java.time.Duration;
import java.util.List;

/**
 * The PostgreSQL backend: tries on the client's main session, native waits on {@link WaiterSessions}; a hold stays on
 * the session it was granted on until released. The client's one {@link LossWatcher} watches the main session; its
 * alarms are checked on the main session and, when they may mean the server went away, on the waiter sessions that
 * hold locks.
 */
final class PgBackend implements Backend {
    /** How long one wait of the watcher lasts before it is re-issued (one statement per slice at rest). */
    private static final Duration WATCH_SLICE = Duration.ofSeconds(60);

    private final LossWatcher watcher;
    private final PgSession main;
    private final WaiterSessions waiters;

    PgBackend(ClientConfig config, LockMetrics metrics, LockEngine engine) {
        this.watcher = new LossWatcher(
                config.source(),
                watcherApplicationName(config.applicationName()),
                config.instanceId(),
                config.serverRelease(),
                WATCH_SLICE,
                config.lossTimeout());
        this.main = new PgSession(config, metrics, false, watcher, (lost, cause) -> lost(engine, lost, cause, true));
        this.waiters = new WaiterSessions(config, metrics, (lost, cause) -> lost(engine, lost, cause, false));
        watcher.subscribe((watched, granted, cause) -> {
            boolean mainGone = main.verify(watched, granted, cause);
            if (!granted || mainGone) {
                waiters.heartbeat(); // a server shutdown or a broken network ends them too
            }
        });
    }

    /**
     * The watcher's {@code application_name}: the client's with " watcher" appended (cut to PostgreSQL's 63 bytes), so
     * terminating the lock session by its name leaves the watcher alone and the other way round.
     */
    static String watcherApplicationName(String applicationName) {
        String suffix = " watcher";
        return applicationName.substring(0, Math.min(applicationName.length(), 63 - suffix.length())) + suffix;
    }

    private static void lost(LockEngine engine, PgSession.SessionHold dead, Throwable cause, boolean main) {
        engine.sessionLost(h -> dead.sameSessionAs((PgSession.SessionHold) h), cause, main);
    }

    @Override
    public ServerHold tryAcquire(LockKey key, LockMode mode) {
        return main.tryAcquire(key, mode);
    }

    @Override
    public ServerHold acquireBeside(ServerHold otherMode, LockKey key, LockMode mode, long waitMs) {
        PgSession session = ((PgSession.SessionHold) otherMode).session();
        PgSession.SessionHold hold = session.acquireOwnOtherMode(key, mode, waitMs);
        if (hold != null && session != main) {
            waiters.added(session);
        }
        return hold;
    }

    @Override
    public ServerHold await(LockKey key, LockMode mode, long deadlineNanos, boolean interruptible)
            throws InterruptedException {
        return waiters.awaitAcquire(key, mode, deadlineNanos, interruptible);
    }

    @Override
    public boolean exclusiveWaiter(ServerHold sharedHold, LockKey key) {
        PgSession.SessionHold hold = (PgSession.SessionHold) sharedHold;
        return hold.session().exclusiveWaiter(key, hold);
    }

    @Override
    public boolean release(LockKey key, LockMode mode, ServerHold hold) {
        PgSession.SessionHold sessionHold = (PgSession.SessionHold) hold;
        PgSession session = sessionHold.session();
        try {
            return session.release(key, mode, sessionHold);
        } finally {
            if (session != main) {
                waiters.released(session);
            }
        }
    }

    @Override
    public List<LockHolder> holders(LockKey key) {
        return main.holders(key);
    }

    @Override
    public java.util.OptionalInt sessionPid() {
        return main.pid();
    }

    /** Checks the main session and the waiter sessions that hold locks. */
    void heartbeat() {
        main.heartbeat();
        waiters.heartbeat();
    }

    /** Closes waiter sessions idle past their timeout: a burst of waits must not keep its connections open. */
    void closeIdleWaiters() {
        waiters.closeIdle();
    }

    /** Gives up every session that holds locks and has not answered for {@code lossTimeout}; never blocks. */
    void watchdog() {
        long now = System.nanoTime();
        main.watchdog(now);
        waiters.watchdog(now);
    }

    @Override
    public void close() {
        // The watcher first: closing the main session releases its sentinel, which is no loss. Then the waiters: they
        // must not take a lock for a client that is going away.
        watcher.close();
        waiters.close();
        main.close();
    }
}
