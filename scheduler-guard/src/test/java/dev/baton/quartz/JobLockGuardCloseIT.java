package dev.baton.quartz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.lock.LockClient;
import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quartz.JobDetail;
import org.quartz.Scheduler;

/** An explicit close() while a guarded job runs gives the job's lock back, even on a lock client the guard does not own. */
@ExtendWith(PostgresExtension.class)
@Timeout(60)
class JobLockGuardCloseIT {

    @Test
    void shouldReleaseTheLocksOfRunningFiringsWhenClosed(PostgresServer server) throws Exception {
        Db.createRuns("runs_close");
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        Jobs.GATES.put("closing", gate);
        Jobs.STARTED.put("closing", started);
        Scheduler scheduler = Schedulers.create("close-a", 2);
        try (LockClient client = LockClient.builder(server.dataSource())
                        .instanceId("close-a")
                        .build();
                LockClient probe = LockClient.create(server.dataSource())) {
            JobLockGuard guard =
                    JobLockGuard.builder(client).withoutLedger().build().registerWith(scheduler);
            JobDetail job = Schedulers.job(Jobs.BlockingJob.class, "closing", "closing", "runs_close");
            Instant start = Schedulers.wholeSecondAfter(1_000);
            scheduler.scheduleJob(job, Schedulers.everySecond(job, start, null));
            scheduler.start();
            assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(probe.isLocked("quartz:closing.closing")).isTrue();

            guard.close();

            await("the running firing's lock is given back")
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> !probe.isLocked("quartz:closing.closing"));
        } finally {
            gate.countDown();
            scheduler.shutdown(true);
        }
    }

    @Test
    void shouldFinishTheLedgerRowsOfRunningFiringsBeforeGivingTheirLocksBack(PostgresServer server) throws Exception {
        Db.createRuns("runs_close_ledger");
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        Jobs.GATES.put("closing-ledger", gate);
        Jobs.STARTED.put("closing-ledger", started);
        Scheduler scheduler = Schedulers.create("close-b", 2);
        try {
            JobLockGuard guard = JobLockGuard.builder(server.dataSource())
                    .instanceId("close-b")
                    .ledgerTable("firings_close")
                    .build()
                    .registerWith(scheduler);
            JobDetail job =
                    Schedulers.job(Jobs.BlockingJob.class, "closing-ledger", "closing-ledger", "runs_close_ledger");
            Instant start = Schedulers.wholeSecondAfter(1_000);
            scheduler.scheduleJob(job, Schedulers.everySecond(job, start, null));
            scheduler.start();
            assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

            guard.close();

            // The next holder must never find the row open: with no session left for close-b it would take the
            // firing as ABANDONED and run it again.
            assertThat(Db.strings("SELECT coalesce(outcome, 'OPEN') FROM firings_close"
                            + " WHERE job_key = 'closing-ledger.closing-ledger'"))
                    .containsExactly("UNKNOWN");
        } finally {
            gate.countDown();
            scheduler.shutdown(true);
        }
    }
}
