package dev.baton.examples;

import dev.baton.lock.DistributedLock;
import dev.baton.lock.LockClient;
import dev.baton.testkit.PostgresServer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Two lock clients (as two service instances would have) contend for one lock: node-a takes it, node-b is refused,
 * then waits and is let in the moment node-a releases it.
 */
final class DemoLocks {
    private DemoLocks() {}

    static void run(PostgresServer server) throws Exception {
        try (LockClient nodeA = LockClient.builder(server.dataSource())
                        .instanceId("node-a")
                        .build();
                LockClient nodeB = LockClient.builder(server.dataSource())
                        .instanceId("node-b")
                        .build()) {
            DistributedLock a = nodeA.lock("nightly-report");
            DistributedLock b = nodeB.lock("nightly-report");
            CountDownLatch aHolds = new CountDownLatch(1);
            AtomicLong releasedAt = new AtomicLong();

            // Locks belong to the thread that took them, so node-a's work runs on a thread of its own.
            Thread nodeAWork = new Thread(
                    () -> {
                        a.lock();
                        try {
                            say("node-a took " + a.key());
                            aHolds.countDown();
                            Thread.sleep(300); // node-a's pretend work
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } finally {
                            releasedAt.set(System.nanoTime());
                            a.unlock();
                            say("node-a released it");
                        }
                    },
                    "node-a-work");
            nodeAWork.start();
            aHolds.await();

            say("pg_locks says the holder is " + nodeB.holder("nightly-report").orElseThrow());
            say("node-b tryLock() while node-a holds it: " + b.tryLock());
            boolean got = b.tryLock(Duration.ofSeconds(5));
            long wokeAfterMicros = (System.nanoTime() - releasedAt.get()) / 1000;
            say("node-b waited and got it: " + got + ", " + wokeAfterMicros + " us after node-a's release");
            try {
                say("node-b runs the report; its hold is valid: " + b.isValid());
            } finally {
                b.unlock();
            }
            nodeAWork.join();
            say("lock free again: isLocked=" + nodeA.isLocked("nightly-report"));
        }
    }

    private static void say(String line) {
        Demo.say("locks", line);
    }
}
