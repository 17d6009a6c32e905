package dev.baton.quartz.internal;

import dev.baton.BatonException;
import dev.baton.internal.Threads;
import dev.baton.lock.LockClient;
import dev.baton.lock.LockLease;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Takes and gives back the job leases of a guard with a bounded wait: a worker waits at most {@code timeout} for
 * its {@link LockClient#tryAcquire(String)} or {@link LockLease#release()}, so a PostgreSQL that stops answering
 * cannot hold Quartz's worker threads.
 *
 * <p>The calls run on one thread of the guard's: a server that hangs then costs that one thread, not one per firing
 * (later calls queue behind it and their workers give up too). A lease belongs to no thread, so the lease a worker gave
 * up on is simply released by whoever sees it arrive; a release past the timeout still runs, later. Interrupts do not
 * cut the wait short (the flag is restored): the firing's lock must not be left behind.
 *
 * <p>Thread-safe.
 */
final class JobLeases implements AutoCloseable {
    private final LockClient client;
    private final Duration timeout;
    private final ExecutorService executor;

    JobLeases(LockClient client, String guardName, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
        this.executor = Executors.newSingleThreadExecutor(Threads.named("baton-quartz-locks-" + guardName));
    }

    /**
     * The job's lease if it is free now.
     *
     * @throws BatonException if the client did not answer within the timeout (nothing is then held: a lease that
     *     arrives later is released)
     */
    Optional<LockLease> tryAcquire(String lockName) {
        CompletableFuture<Optional<LockLease>> taking =
                CompletableFuture.supplyAsync(() -> client.tryAcquire(lockName), executor);
        try {
            return await(taking, lockName, "try-lock");
        } catch (OperationTimeout e) {
            // The firing is vetoed: whatever the try answers later must be given back. If it answered just now,
            // this runs here at once, which is as good.
            // The returned stage is not needed: release() reports a failure to the client's listener itself.
            @SuppressWarnings("FutureReturnValueIgnored")
            Object unused = taking.thenAccept(lease -> lease.ifPresent(LockLease::release));
            throw e;
        }
    }

    /** Releases {@code lease}, waiting at most the timeout; past it the release still runs, later. */
    void release(LockLease lease) {
        CompletableFuture<Void> releasing;
        try {
            releasing = CompletableFuture.runAsync(lease::release, executor);
        } catch (RejectedExecutionException closed) {
            lease.release(); // after close(): no thread to wait for, release here
            return;
        }
        await(releasing, String.valueOf(lease.key()), "release");
    }

    private <T> T await(CompletableFuture<T> future, String lockName, String operation) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (; ; ) {
                try {
                    return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (TimeoutException e) {
                    throw new OperationTimeout("The " + operation + " of lock '" + lockName + "' did not answer within "
                            + timeout + " (PostgreSQL not answering?)");
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
            throw new BatonException("The " + operation + " of lock '" + lockName + "' failed: " + cause, cause);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops the thread once queued calls ran; later releases run on the caller, later acquires are refused. */
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
