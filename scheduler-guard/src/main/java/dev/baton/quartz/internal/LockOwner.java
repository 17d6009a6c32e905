package dev.baton.quartz.internal;

import dev.baton.election.BatonException;
import dev.baton.election.DistributedLock;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The one thread that owns every job lock of a guard.
 *
 * <p>A {@link DistributedLock} hold belongs to the thread that acquired it. Quartz usually calls the veto and the
 * release callbacks of a firing on the same worker thread, but not always: a later listener that throws skips every
 * release callback, and a scheduler shut down mid-run may leave the release to a thread that never comes back. So all
 * acquires and releases run here, and any thread may release a firing's lock. Exclusion between firings of this guard
 * is kept by the guard's own map of active firings (the lock is re-entrant for this thread).
 *
 * <p>Callers wait for their task without interruption (a task that completed after the caller gave up could leave a
 * lock nobody releases); each task is one round trip of the lock client, and the interrupt flag is restored.
 */
final class LockOwner implements AutoCloseable {
    private final ExecutorService executor;

    LockOwner(String guardName) {
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "baton-quartz-locks-" + guardName);
            t.setDaemon(true);
            return t;
        });
    }

    /** {@link DistributedLock#tryLock()} on the owner thread. */
    boolean tryLock(DistributedLock lock) {
        return call(lock::tryLock);
    }

    /** {@link DistributedLock#unlock()} on the owner thread. */
    void unlock(DistributedLock lock) {
        call(() -> {
            lock.unlock();
            return Boolean.TRUE;
        });
    }

    private boolean call(Callable<Boolean> task) {
        Future<Boolean> future = executor.submit(task);
        boolean interrupted = false;
        try {
            for (; ; ) {
                try {
                    return future.get();
                } catch (InterruptedException e) {
                    interrupted = true;
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
            throw new BatonException("Lock operation failed: " + cause, cause);
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
}
