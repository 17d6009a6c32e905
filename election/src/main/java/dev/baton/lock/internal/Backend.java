package dev.baton.lock.internal;

import dev.baton.lock.LockHolder;
import dev.baton.lock.LockKey;
import dev.baton.lock.LockMode;
import java.util.List;

/**
 * Where a {@link KeyState} takes the cross-process part of a lock: PostgreSQL sessions, or nothing for the in-memory
 * client. Never called under a key's state lock. {@link #tryAcquire}, {@link #acquireBeside} and {@link #release}
 * run for one key at a time (the key is marked busy); {@link #await} of one thread per key may run beside them.
 */
interface Backend {

    /** A hold on the server: valid while the session that took it is still the one that took it. */
    interface ServerHold {
        boolean valid();
    }

    /**
     * Takes the lock without waiting, on the client's main session.
     *
     * @return the hold, or null if another session holds the key
     */
    ServerHold tryAcquire(LockKey key, LockMode mode);

    /**
     * Takes the lock in {@code mode} on the session that holds {@code otherMode}, the key's hold in the other mode,
     * waiting natively at most {@code waitMs}: a session never conflicts with itself, and its own request goes ahead
     * of other sessions' queued waiters, where a try-lock would fail behind them.
     *
     * @return the hold, or null if not granted within {@code waitMs}
     */
    ServerHold acquireBeside(ServerHold otherMode, LockKey key, LockMode mode, long waitMs);

    /**
     * Waits natively for the lock on a session of its own, until {@code deadlineNanos} ({@link Deadline#NONE}: none)
     * or a slice of it. The granted hold stays on that session until released.
     *
     * @return the hold, or null if the wait ended without a grant (the caller looks again)
     */
    ServerHold await(LockKey key, LockMode mode, long deadlineNanos, boolean interruptible) throws InterruptedException;

    /**
     * Whether a session other than the one of {@code sharedHold} (a valid shared hold of {@code key}) waits for the key
     * exclusively. PostgreSQL queues another session's new shared request behind such a waiter, so the engine lets a
     * new local shared holder join {@code sharedHold} only when this says no. One round trip for PostgreSQL.
     */
    boolean exclusiveWaiter(ServerHold sharedHold, LockKey key);

    /**
     * Releases one hold. Never throws: a failure discards the session (and the lock with it) and is reported as a loss;
     * the key state relies on this in the middle of its transitions.
     *
     * @return false if PostgreSQL said it was not held; true otherwise (also when its session was already gone, as
     *     the server released it with the session; the engine is told of that separately)
     */
    boolean release(LockKey key, LockMode mode, ServerHold hold);

    /** Every session holding the key. */
    List<LockHolder> holders(LockKey key);

    /** The pid of the main session if one is open now; never blocks. */
    default java.util.OptionalInt sessionPid() {
        return java.util.OptionalInt.empty();
    }

    /** Releases everything and closes every session; every hold turns invalid. */
    void close();
}
