package dev.baton.examples;

import dev.baton.lock.DistributedLock;
import dev.baton.lock.LockClient;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * The run-with-lock helpers (Verrou's {@code runImmediately} / {@code run}): {@code runImmediately(action)} runs only
 * if the lock is free now, {@code run(timeout, action)} waits up to the timeout; both release in every case, also when
 * the action throws. Returns {@code {ranImmediately, skippedWhileHeld, ranAfterWait}} (true, true, true).
 */
public final class RunWithLock {
    private RunWithLock() {}

    public static void main(String[] args) throws Exception {
        Example.onEmbeddedPostgres(RunWithLock::run);
    }

    static boolean[] run(DataSource dataSource) throws InterruptedException {
        try (LockClient a =
                        LockClient.builder(dataSource).instanceId("server-a").build();
                LockClient b =
                        LockClient.builder(dataSource).instanceId("server-b").build()) {
            DistributedLock lockA = a.lock("rebuild-index");
            DistributedLock lockB = b.lock("rebuild-index");
            boolean ranImmediately = lockB.runImmediately(() -> Example.say("server-b rebuilt the index"));
            boolean skipped;
            lockA.lock();
            try {
                skipped = !lockB.runImmediately(() -> Example.say("never printed: server-a holds it"));
                Example.say("server-b skipped while server-a holds it: " + skipped);
            } finally {
                lockA.unlock();
            }
            boolean ranAfterWait =
                    lockB.run(Duration.ofSeconds(5), () -> Example.say("server-b waited, then rebuilt it"));
            try {
                lockB.runImmediately(() -> {
                    throw new IllegalStateException("the action failed");
                });
            } catch (IllegalStateException expected) {
                Example.say("the action threw; lock still held: " + lockB.isHeldByCurrentThread());
            }
            return new boolean[] {ranImmediately, skipped, ranAfterWait && !lockB.isHeldByCurrentThread()};
        }
    }
}
