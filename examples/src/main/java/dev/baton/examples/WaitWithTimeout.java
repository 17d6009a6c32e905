package dev.baton.examples;

import dev.baton.lock.DistributedLock;
import dev.baton.lock.LockClient;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * go-pglock's wait-and-lock with a context deadline: wait for the lock at most a given time. The wait is one native
 * {@code pg_advisory_lock} bounded by {@code lock_timeout}, not polling; a timeout leaves no stray lock behind.
 * Returns {@code {timedOut, gotItAfterRelease}}.
 */
public final class WaitWithTimeout {
    private WaitWithTimeout() {}

    public static void main(String[] args) throws Exception {
        Example.onEmbeddedPostgres(WaitWithTimeout::run);
    }

    static boolean[] run(DataSource dataSource) throws InterruptedException {
        try (LockClient serverA =
                        LockClient.builder(dataSource).instanceId("server-a").build();
                LockClient serverB =
                        LockClient.builder(dataSource).instanceId("server-b").build()) {
            DistributedLock a = serverA.lock("export");
            DistributedLock b = serverB.lock("export");
            boolean timedOut;
            a.lock();
            try {
                timedOut = !b.tryLock(Duration.ofMillis(200));
                Example.say("server-b gave up after 200 ms: " + timedOut);
            } finally {
                a.unlock();
            }
            boolean got = b.tryLock(Duration.ofSeconds(5));
            if (got) {
                b.unlock();
            }
            Example.say("after server-a released it, server-b got it: " + got);
            return new boolean[] {timedOut, got};
        }
    }
}
