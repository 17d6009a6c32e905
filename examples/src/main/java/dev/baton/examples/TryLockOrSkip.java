package dev.baton.examples;

import dev.baton.lock.DistributedLock;
import dev.baton.lock.LockClient;
import javax.sql.DataSource;

/**
 * go-pglock's try-lock: if another server holds the lock, skip the work instead of waiting ({@code tryLock()} is one
 * round trip and never blocks on the lock). Returns whether the second server ran.
 */
public final class TryLockOrSkip {
    private TryLockOrSkip() {}

    public static void main(String[] args) throws Exception {
        Example.onEmbeddedPostgres(TryLockOrSkip::run);
    }

    static boolean run(DataSource dataSource) {
        try (LockClient serverA =
                        LockClient.builder(dataSource).instanceId("server-a").build();
                LockClient serverB =
                        LockClient.builder(dataSource).instanceId("server-b").build()) {
            DistributedLock a = serverA.lock("cleanup");
            a.lock();
            try {
                DistributedLock b = serverB.lock("cleanup");
                if (b.tryLock()) {
                    try {
                        Example.say("server-b runs cleanup");
                        return true;
                    } finally {
                        b.unlock();
                    }
                }
                Example.say("server-b skips cleanup: held by "
                        + serverB.holder("cleanup")
                                .map(h -> h.applicationName())
                                .orElse("?"));
                return false;
            } finally {
                a.unlock();
            }
        }
    }
}
