package dev.baton.examples;

import dev.baton.lock.LockClient;
import dev.baton.lock.LockLease;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * The thread-free lease: {@code tryAcquire} gives a {@link LockLease} that no thread owns, so asynchronous code can take
 * it on one thread and release it on another when the work completes. A {@code DistributedLock} could not do this:
 * its holds belong to the thread that took them. Returns whether the lock was free again after the async release.
 */
public final class ThreadFreeLease {
    private ThreadFreeLease() {}

    public static void main(String[] args) throws Exception {
        Example.onEmbeddedPostgres(ThreadFreeLease::run);
    }

    static boolean run(DataSource dataSource) throws Exception {
        ExecutorService workers = Executors.newFixedThreadPool(2, r -> new Thread(r, "export-worker"));
        try (LockClient client =
                LockClient.builder(dataSource).instanceId("exporter").build()) {
            Optional<LockLease> lease = client.tryAcquire("export");
            if (lease.isEmpty()) {
                Example.say("another instance is exporting");
                return false;
            }
            LockLease held = lease.get();
            CompletableFuture.supplyAsync(() -> "42 rows", workers)
                    .whenComplete((rows, error) -> {
                        held.release(); // on the worker thread, not the one that acquired it
                        Example.say("exported " + rows + "; released on "
                                + Thread.currentThread().getName());
                    })
                    .get(10, TimeUnit.SECONDS);
            boolean free = !client.isLocked("export");
            Example.say("lock free again: " + free);
            return free;
        } finally {
            workers.shutdown();
        }
    }
}
