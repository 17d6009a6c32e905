package dev.baton.lock;

import java.util.Set;

/**
 * Told when holds are lost: a session of the client died (every key held on it at once: all of them for the main
 * session, the key it waited for and kept for a waiter session), or PostgreSQL answered an unlock with
 * {@code false} (that key was no longer held). Called in order, one loss after the other, on the client's own thread
 * {@code baton-lock-events-<instance id>}, never on the thread that noticed the loss and never under an internal lock,
 * so a listener may lock and unlock (a listener that blocks delays the reports after it). Exceptions are logged and
 * ignored. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface LockClientListener {

    /** Why holds were lost. */
    enum Reason {
        /** The session ended (backend terminated, server restart, network failure, socket closed). */
        SESSION_LOST,
        /** {@code pg_advisory_unlock} returned false: PostgreSQL no longer had the lock for this session. */
        UNLOCK_NOT_HELD,
        /**
         * PostgreSQL did not answer the session for {@code lossTimeout} (a partition, a frozen server): the server may
         * still hold these locks, but it will drop them after {@code serverReleaseAfter}, and another session may then
         * take them. Stop the work they guard now. The session is given up; the next operation opens a new one.
         */
        IN_DOUBT
    }

    /**
     * Holds were lost.
     *
     * @param client the client that lost them
     * @param keys the keys whose holds were lost
     * @param reason why
     * @param cause the failure that revealed it, or null
     */
    void locksLost(LockClient client, Set<LockKey> keys, Reason reason, Throwable cause);
}
