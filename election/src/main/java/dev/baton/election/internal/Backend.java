package dev.baton.election.internal;

import dev.baton.election.LockHolder;
import dev.baton.election.LockKey;
import dev.baton.election.LockMode;
import java.util.List;

/**
 * Where a {@link LockEngine} takes the cross-process part of a lock: PostgreSQL, or nothing for the in-memory client.
 * The engine calls each method for one key at a time (a key is "busy" while its call runs) and never under its state
 * lock.
 */
interface Backend {

    /**
     * Takes the lock in {@code mode} without waiting.
     *
     * @return the session generation the lock was taken in, or -1 if another session holds it
     */
    long tryAcquire(LockKey key, LockMode mode);

    /**
     * Blocks until the lock may be free (a release happened, or nothing was held), or until the deadline.
     *
     * @param selfHoldsOtherMode our own session holds the key in the other mode, so a waiter on another connection
     *     would wait for us: the backend must poll instead
     * @param interruptible whether to give up with {@link InterruptedException} on interrupt
     */
    void awaitRelease(LockKey key, LockMode mode, long deadlineNanos, boolean selfHoldsOtherMode, boolean interruptible)
            throws InterruptedException;

    /**
     * Releases one hold taken in session generation {@code generation}.
     *
     * @return false if PostgreSQL said it was not held; true otherwise (also when the session was already gone, as the
     *     server released it with the session, which the engine has been told of separately)
     */
    boolean release(LockKey key, LockMode mode, long generation);

    /** The current session generation; bumped whenever a session is lost. */
    long generation();

    /** Every session holding the key. */
    List<LockHolder> holders(LockKey key);

    /** Releases everything and closes connections. */
    void close();
}
