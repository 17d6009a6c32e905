package dev.baton.quartz.internal;

import dev.baton.BatonException;
import dev.baton.lock.DistributedLock;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one thread that owns every job lock of a guard.
 *
 * <p>A {@link DistributedLock} hold belongs to the thread that acquired it. Quartz usually calls the veto and the
 * release callbacks of a firing on the same worker thread, but not always: a later listener that throws skips every
 * release callback, and a scheduler shut down mid-run may leave the release to a thread that never comes back. So all
 * acquires and releases run here, in submission order, and any thread may release a firing's lock. Exclusion between
 * firings of this guard is kept by the guard's own map of active firings (the lock is re-entrant for this thread).
 *
 * <p>A worker waits at most {@code timeout} for its operation (a PostgreSQL that stopped answering must not hold
 * Quartz's worker threads). A {@link #tryLock} the worker gave up on is undone on this thread if it later succeeds,
 * so no lock is left that nobody releases; an {@link #unlock} still runs, later. Interrupts do not cut the wait short
 * (the flag is restored).
 */
final class LockOwner implements AutoCloseable {
    private static final int PENDING = 0;
    private static final int GAVE_UP = 1;
    private static final int DONE = 2;

    private final ExecutorService executor;
    private final long timeoutNanos;

    LockOwner(String guardName, Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "baton-quartz-locks-" + guardName);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * {@link DistributedLock#tryLock()} on the owner thread.
     *
     * @throws BatonException if it did not answer within the timeout (the lock is then not held)
     */
    boolean tryLock(DistributedLock lock) {
        AtomicInteger state = new AtomicInteger(PENDING);
        Future<Boolean> future = executor.submit(() -> {
            boolean locked = lock.tryLock();
            if (!state.compareAndSet(PENDING, DONE)) {
                if (locked) {
                    lock.unlock(); // the worker gave up and vetoed: undo
                }
                return false;
            }
            return locked;
        });
        try {
            return await(future, lock, "try-lock");
        } catch (OperationTimeout e) {
            if (state.compareAndSet(PENDING, GAVE_UP)) {
                throw e;
            }
            return await(future, lock, "try-lock"); // it completed just now: take its answer
        }
    }

    /** {@link DistributedLock#unlock()} on the owner thread; past the timeout it still runs, later. */
    void unlock(DistributedLock lock) {
        await(
                executor.submit(() -> {
                    lock.unlock();
                    return Boolean.TRUE;
                }),
                lock,
                "unlock");
    }

    private boolean await(Future<Boolean> future, DistributedLock lock, String operation) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + timeoutNanos;
        try {
            for (; ; ) {
                try {
                    return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (TimeoutException e) {
                    throw new OperationTimeout("The " + operation + " of " + lock + " did not answer within "
                            + Duration.ofNanos(timeoutNanos) + " (PostgreSQL not answering?)");
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new BatonException("The " + operation + " of " + lock + " failed: " + cause, cause);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops the thread once queued tasks ran; later calls throw {@link java.util.concurrent.RejectedExecutionException}. */
    @Override
    public void close() {
        executor.shutdown();
    }

    /** A lock operation that did not answer in time. */
    static final class OperationTimeout extends BatonException {
        private static final long serialVersionUID = 1L;

        OperationTimeout(String message) {
            super(message);
        }
    }
}
