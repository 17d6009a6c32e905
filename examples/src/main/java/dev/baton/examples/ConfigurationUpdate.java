package dev.baton.examples;

import dev.baton.lock.LockClient;
import dev.baton.lock.LockLease;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * go-pglock's read/write scenario "configuration update": services read the configuration under a shared lock
 * (many at once), an operator's update takes the exclusive lock with a timeout and gives up cleanly if readers do not
 * finish in time. Leases ({@code tryAcquireShared}, {@code tryAcquire}) are used so any thread may release them.
 * Returns {@code {updateRefusedWhileRead, updateAppliedAfterwards}} (both true).
 */
public final class ConfigurationUpdate {
    private ConfigurationUpdate() {}

    public static void main(String[] args) throws Exception {
        Example.onEmbeddedPostgres(ConfigurationUpdate::run);
    }

    static boolean[] run(DataSource dataSource) throws InterruptedException {
        try (LockClient service =
                        LockClient.builder(dataSource).instanceId("service").build();
                LockClient operator =
                        LockClient.builder(dataSource).instanceId("operator").build()) {
            LockLease reading = service.tryAcquireShared("config:billing").orElseThrow();
            Optional<LockLease> early = operator.tryAcquire("config:billing", Duration.ofMillis(150));
            Example.say("update while a service reads, refused after 150 ms: " + early.isEmpty());
            early.ifPresent(LockLease::release);
            reading.release();
            Optional<LockLease> update = operator.tryAcquire("config:billing", Duration.ofSeconds(5));
            try {
                Example.say("update once reads are done: " + update.isPresent());
            } finally {
                update.ifPresent(LockLease::release);
            }
            return new boolean[] {early.isEmpty(), update.isPresent()};
        }
    }
}
