package dev.baton.lock.internal;

import dev.baton.lock.LockHolder;
import dev.baton.lock.LockKey;
import dev.baton.lock.LockMode;
import java.util.List;

/**
 * Where a {@link LockEngine} takes the cross-process part of a lock: PostgreSQL sessions, or nothing for the in-memory
 * client. The engine never calls these under its state lock; {@link #tryAcquire} and {@link #release} run for one key
 * at a time (the key is marked busy), while {@link #awaitAcquire} of one thread per key may run beside them.
 */
interface Backend {

    /** A server-side hold: which session holds it, and whether that session is still the one that took it. */
    interface Hold {
        /** Whether the session that took this hold is still alive (then so is the hold). */
        boolean valid();
    }

    /**
     * Takes the lock: without waiting on the main session; or, if {@code sameSession} is given (it holds the key in
     * the other mode), on that session, waiting natively at most {@code waitMs}: a session never conflicts with itself
     * and its own request goes ahead of queued waiters, where a try-lock would fail behind them.
     *
     * @return the hold, or null if another session holds the key
     */
    Hold tryAcquire(LockKey key, LockMode mode, Hold sameSession, long waitMs);

    /**
     * Waits for the lock natively on a waiter session, until the deadline ({@code Long.MAX_VALUE}: none) or a slice of
     * it. The granted hold stays on that waiter session until released.
     *
     * @return the hold, or null if the wait ended without a grant (the caller tries again)
     */
    Hold awaitAcquire(LockKey key, LockMode mode, long deadlineNanos, boolean interruptible)
            throws InterruptedException;

    /**
     * Releases one hold.
     *
     * @return false if PostgreSQL said it was not held; true otherwise (also when its session was already gone, as
     *     the server released it with the session; the engine is told of that separately)
     */
    boolean release(LockKey key, LockMode mode, Hold hold);

    /** Every session holding the key. */
    List<LockHolder> holders(LockKey key);

    /** Releases everything and closes every session; every hold turns invalid. */
    void close();
}
