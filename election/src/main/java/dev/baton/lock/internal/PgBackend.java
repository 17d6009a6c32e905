package dev.baton.lock.internal;

import dev.baton.lock.LockHolder;
import dev.baton.lock.LockKey;
import dev.baton.lock.LockMode;
import java.util.List;

/**
 * The PostgreSQL backend: tries on the client's main session, native waits on {@link WaiterSessions}; a hold stays on
 * the session it was granted on until released.
 */
final class PgBackend implements Backend {
    private final PgSession main;
    private final WaiterSessions waiters;

    PgBackend(ClientConfig config, LockMetrics metrics, LockEngine engine) {
        this.main = new PgSession(config, metrics, false, (lost, cause) -> lost(engine, lost, cause, true));
        this.waiters = new WaiterSessions(config, metrics, (lost, cause) -> lost(engine, lost, cause, false));
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

    @Override
    public void close() {
        // Waiters first: they must not take a lock for a client that is going away.
        waiters.close();
        main.close();
    }
}
