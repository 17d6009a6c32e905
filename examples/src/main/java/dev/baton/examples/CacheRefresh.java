package dev.baton.examples;

import dev.baton.lock.DistributedLock;
import dev.baton.lock.LockClient;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * go-pglock's read/write scenario "cache refresh": many servers read the cache under a shared lock at once; the
 * refresher takes the exclusive lock, so it waits for current readers and keeps new ones out while it rebuilds.
 * Returns {@code {readersTogether, refresherBlockedByReaders, readerBlockedByRefresher}} (all true).
 */
public final class CacheRefresh {
    private CacheRefresh() {}

    public static void main(String[] args) throws Exception {
        Example.onEmbeddedPostgres(CacheRefresh::run);
    }

    static boolean[] run(DataSource dataSource) throws InterruptedException {
        try (LockClient reader1 =
                        LockClient.builder(dataSource).instanceId("reader-1").build();
                LockClient reader2 =
                        LockClient.builder(dataSource).instanceId("reader-2").build();
                LockClient refresher =
                        LockClient.builder(dataSource).instanceId("refresher").build()) {
            DistributedLock r1 = reader1.sharedLock("cache:products");
            DistributedLock r2 = reader2.sharedLock("cache:products");
            DistributedLock w = refresher.lock("cache:products");
            boolean together = r1.tryLock() && r2.tryLock();
            Example.say("two readers share the cache lock: " + together);
            boolean writerBlocked = !w.tryLock(Duration.ofMillis(100));
            Example.say("refresher must wait while they read: " + writerBlocked);
            r1.unlock();
            r2.unlock();
            boolean readerBlocked;
            w.lock();
            try {
                Example.say("refresher rebuilds the cache");
                readerBlocked = !r1.tryLock();
                Example.say("a reader is kept out during the rebuild: " + readerBlocked);
            } finally {
                w.unlock();
            }
            return new boolean[] {together, writerBlocked, readerBlocked};
        }
    }
}
