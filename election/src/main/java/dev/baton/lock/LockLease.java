package dev.baton.lock;

/**
 * One hold of an advisory lock that belongs to no thread: obtained from {@link LockClient#tryAcquire(LockKey)} and its
 * variants, released once by any thread. For asynchronous code, virtual threads and callbacks that end on another
 * thread than the one that started the work.
 *
 * <p><b>Not re-entrant.</b> A lease is a holder of its own, as a second instance would be: while this client holds
 * the key exclusively (by a thread or another lease), another {@code tryAcquire} of it answers empty; shared leases
 * and shared holds coexist.
 *
 * <p><b>Loss.</b> If the client's session dies, {@link #isValid()} turns false and the client's
 * {@link LockClientListener} is told. {@link #release()} of a lost lease still ends it and does not throw. Until it is
 * released, a lost lease still keeps this client's other holders out of the key, as a held one would.
 *
 * <p><b>Release it.</b> Nothing releases a lease for you: one that is dropped without {@link #release()} holds the
 * PostgreSQL lock until the client closes. A thread that holds a shared lease and asks for the exclusive lock (a
 * {@link DistributedLock} or another lease) waits for itself: the lease is another holder, so there is no upgrade.
 *
 * <p>Thread-safe. {@link #release()} blocks for one round trip (none if another holder of this client keeps the key
 * on the server), after any call for the same key already in flight.
 */
public interface LockLease extends AutoCloseable {

    /** The key of this lease. */
    LockKey key();

    /** Exclusive or shared. */
    LockMode mode();

    /** Whether the lease is not yet released and still backed by the client's live session. */
    boolean isValid();

    /**
     * Throws if {@link #isValid()} is false.
     *
     * @throws LockLostException naming the key and why the lease is no longer valid
     */
    void checkValid();

    /**
     * Releases the lease, from any thread; later calls do nothing. If PostgreSQL reports that the lock was not held,
     * the loss is reported to the listener and counted, not thrown.
     */
    void release();

    /** As {@link #release()}. */
    @Override
    default void close() {
        release();
    }
}
