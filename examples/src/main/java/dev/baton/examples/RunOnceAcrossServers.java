package dev.baton.examples;

import dev.baton.lock.LockClient;
import dev.baton.lock.LockKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * go-pglock's distributed task: three servers start the same task at the same moment; the one that gets the lock runs
 * it, the others skip. The key is a raw 64-bit id ({@link LockKey#of(long)}), as go-pglock's {@code int64} is. A lock
 * alone excludes only while held: a task that must run once ever needs a record of its run too (the Quartz guard's
 * ledger is that record for scheduled firings). Returns how many servers ran it (1).
 */
public final class RunOnceAcrossServers {
    private RunOnceAcrossServers() {}

    public static void main(String[] args) throws Exception {
        Example.onEmbeddedPostgres(RunOnceAcrossServers::run);
    }

    static int run(DataSource dataSource) throws Exception {
        AtomicInteger ran = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch decided = new CountDownLatch(3);
        CountDownLatch release = new CountDownLatch(1);
        List<Thread> servers = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            String id = "server-" + s;
            Thread t = new Thread(
                    () -> {
                        try (LockClient client =
                                LockClient.builder(dataSource).instanceId(id).build()) {
                            go.await();
                            // The winner keeps the lock until every server has decided, as a real task would
                            // while it runs.
                            boolean won = client.tryAcquire(LockKey.of(42L))
                                    .map(lease -> {
                                        try (lease) {
                                            ran.incrementAndGet();
                                            Example.say(id + " runs task 42");
                                            decided.countDown();
                                            release.await();
                                            return true;
                                        } catch (InterruptedException e) {
                                            Thread.currentThread().interrupt();
                                            return true;
                                        }
                                    })
                                    .orElse(false);
                            if (!won) {
                                Example.say(id + " skips task 42: another server runs it");
                                decided.countDown();
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    id);
            servers.add(t);
            t.start();
        }
        go.countDown();
        decided.await();
        release.countDown();
        for (Thread t : servers) {
            t.join();
        }
        return ran.get();
    }
}
