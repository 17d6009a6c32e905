package dev.baton.lock;

import dev.baton.BatonException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.function.Supplier;

/**
 * An advisory lock on one key, exclusive or shared, obtained from {@link LockClient#lock} or
 * {@link LockClient#sharedLock}.
 *
 * <p><b>Ownership.</b> Inside the JVM a hold belongs to the thread that acquired it (like
 * {@link java.util.concurrent.locks.ReentrantReadWriteLock}); across JVMs it belongs to the client's PostgreSQL
 * session. Exclusive excludes every other holder; shared excludes only exclusive holders (the go-pglock matrix), both
 * between threads and between clients. A thread may re-acquire a lock it holds: holds stack and need as many
 * {@link #unlock()} calls. A thread holding only the shared lock may also take the exclusive one (an upgrade) when no
 * other holder of this client (another thread or a {@link LockLease}) holds the key.
 *
 * <p><b>Cost.</b> The first hold of a key by this client costs one round trip, the last release another; stacked and
 * local holds cost none.
 *
 * <p><b>Waiting</b> does not poll PostgreSQL: a waiter blocks natively on a waiter session and holds the lock within
 * milliseconds of a release anywhere (another thread, another client, a crashed holder, a foreign tool). Two cases
 * ask again every 25 ms instead: an upgrade blocked by another session's shared hold, and waits beyond the client's
 * {@code maxWaiterConnections}. {@link #tryLock(Duration)} and {@link #lockInterruptibly()} respond to timeouts and
 * interrupts, and a timeout that races with a grant never leaves the lock held.
 *
 * <p><b>Loss.</b> If the client's session dies, every hold on it is lost at once: {@link #isValid()} turns false, the
 * client's {@link LockClientListener} is told, and the holder should stop the protected work. {@link #unlock()} of a
 * lost hold still balances the count and does not throw.
 *
 * <p>Instances are thread-safe and cheap; all state lives in the client. {@link #newCondition()} is not supported.
 */
public interface DistributedLock extends Lock {

    /** The key of this lock. */
    LockKey key();

    /** Exclusive or shared. */
    LockMode mode();

    /**
     * Acquires the lock, waiting without bound. Not interruptible (as {@link Lock#lock()}); an interrupt is remembered
     * and re-asserted on return.
     *
     * @throws BatonException if PostgreSQL cannot be reached
     * @throws TooManyLocksException if the client already holds its maximum number of distinct keys
     * @throws IllegalStateException if the client is closed
     */
    @Override
    void lock();

    /** As {@link #lock()}, but interruptible. */
    @Override
    void lockInterruptibly() throws InterruptedException;

    /** Acquires the lock if it is free now: one round trip, or none if this client already holds the key. */
    @Override
    boolean tryLock();

    /**
     * Acquires the lock, waiting at most {@code timeout}.
     *
     * @return whether the lock is now held by the current thread
     * @throws IllegalArgumentException if the timeout is null or negative
     * @throws InterruptedException if interrupted while waiting; the lock is then not held
     */
    boolean tryLock(Duration timeout) throws InterruptedException;

    /** As {@link #tryLock(Duration)}. */
    @Override
    boolean tryLock(long time, TimeUnit unit) throws InterruptedException;

    /**
     * Releases one hold of the current thread; the last hold of this client releases the PostgreSQL lock. If
     * PostgreSQL reports that the lock was not held, the loss is reported to the listener and counted, not thrown.
     *
     * @throws IllegalMonitorStateException if the current thread does not hold this lock
     */
    @Override
    void unlock();

    /** Whether the current thread holds this lock (valid or lost). */
    boolean isHeldByCurrentThread();

    /** How many holds the current thread has on this lock (0 if none). */
    int holdCount();

    /** Whether the current thread holds this lock and the hold is still backed by the client's live session. */
    boolean isValid();

    /**
     * Throws if {@link #isValid()} is false.
     *
     * @throws LockLostException naming the key and why the hold is no longer valid
     */
    void checkValid();

    /**
     * Runs {@code action} if the lock can be taken now, and always releases it afterwards.
     *
     * @return whether the action ran
     */
    boolean runImmediately(Runnable action);

    /** Calls {@code action} if the lock can be taken now, and always releases it afterwards. */
    <T> LockResult<T> callImmediately(Supplier<? extends T> action);

    /**
     * Runs {@code action} once the lock is acquired, waiting at most {@code timeout}; always releases it afterwards.
     *
     * @return whether the action ran
     */
    boolean run(Duration timeout, Runnable action) throws InterruptedException;

    /** Calls {@code action} once the lock is acquired, waiting at most {@code timeout}; always releases it afterwards. */
    <T> LockResult<T> call(Duration timeout, Supplier<? extends T> action) throws InterruptedException;

    /** Not supported: a condition cannot be waited on across processes. */
    @Override
    default Condition newCondition() {
        throw new UnsupportedOperationException("DistributedLock does not support conditions");
    }
}
