package dev.baton.examples;

import dev.baton.lock.DistributedLock;
import dev.baton.lock.LockClient;
import javax.sql.DataSource;

/**
 * go-pglock's basic lock: take an exclusive lock on a name, do the work, always release it in {@code finally}.
 * {@code lock()} waits as long as it takes; the name is hashed with FNV-1a 64 exactly as go-pglock's examples do, so a
 * Go service locking the same name excludes this one.
 */
public final class BasicLock {
    private BasicLock() {}

    public static void main(String[] args) throws Exception {
        Example.onEmbeddedPostgres(BasicLock::run);
    }

    static void run(DataSource dataSource) {
        try (LockClient locks =
                LockClient.builder(dataSource).instanceId("basic").build()) {
            DistributedLock lock = locks.lock("invoice-batch");
            lock.lock();
            try {
                Example.say("holding " + lock.key() + "; valid: " + lock.isValid());
            } finally {
                lock.unlock();
            }
            Example.say("released; still locked anywhere: " + locks.isLocked("invoice-batch"));
        }
    }
}
