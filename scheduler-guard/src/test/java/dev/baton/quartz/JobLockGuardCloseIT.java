package dev.baton.quartz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.lock.LockClient;
import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quartz.JobDetail;
import org.quartz.Scheduler;
import org.quartz.Trigger;
import org.quartz.listeners.SchedulerListenerSupport;

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

    /**
     * close() lands while a firing is being let through, between its ledger claim and the veto's answer (held there by
     * a scheduler listener that the claim's recovery scheduling calls). The firing must be vetoed with its row
     * finished, not left open with its lock already given back.
     */
    @Test
    void shouldLetAFiringThatIsBeingClaimedFinishBeforeClosing(PostgresServer server) throws Exception {
        Db.createRuns("runs_close_claim");
        Db.exec(Docs.ledgerDdl("firings_close_claim"));
        Db.exec("DELETE FROM firings_close_claim");
        Instant past = Instant.parse("2026-01-01T00:00:00Z");
        Db.exec("INSERT INTO firings_close_claim (job_key, scheduled_fire_time, instance_id, started_at)"
                + " VALUES ('claiming.job', '" + past + "', 'dead-node', now())"); // its runner is gone
        CountDownLatch inClaim = new CountDownLatch(1);
        CountDownLatch letClaimFinish = new CountDownLatch(1);
        Scheduler scheduler = Schedulers.create("close-c", 2);
        ExecutorService closer = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-closer"));
        try {
            JobLockGuard guard = JobLockGuard.builder(server.dataSource())
                    .instanceId("close-c")
                    .ledgerTable("firings_close_claim")
                    .build()
                    .registerWith(scheduler);
            scheduler.getListenerManager().addSchedulerListener(new SchedulerListenerSupport() {
                @Override
                public void jobScheduled(Trigger trigger) {
                    if (trigger.getKey().getName().contains("@")) { // the recovery trigger the claim schedules
                        inClaim.countDown();
                        try {
                            letClaimFinish.await(20, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
            });
            JobDetail job = org.quartz.JobBuilder.newJob(Jobs.RecordJob.class)
                    .withIdentity("job", "claiming")
                    .usingJobData("table", "runs_close_claim")
                    .requestRecovery()
                    .build();
            Instant start = Schedulers.wholeSecondAfter(1_000);
            scheduler.scheduleJob(job, Schedulers.everySecond(job, start, start));
            scheduler.start();
            assertThat(inClaim.await(20, TimeUnit.SECONDS))
                    .as("a firing inside its claim")
                    .isTrue();
            Instant fired = Db.strings("SELECT scheduled_fire_time::text FROM firings_close_claim"
                            + " WHERE job_key = 'claiming.job' AND instance_id = 'close-c'")
                    .stream()
                    .map(t -> Instant.parse(t.replace(' ', 'T').replace("+00", "Z")))
                    .findFirst()
                    .orElseThrow();

            Future<?> closing = closer.submit(guard::close);
            await("close() waits for the firing being let through")
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> threadState("test-closer") == Thread.State.TIMED_WAITING);
            letClaimFinish.countDown();
            closing.get(20, TimeUnit.SECONDS);

            assertThat(Db.strings("SELECT coalesce(outcome, 'OPEN') FROM firings_close_claim"
                            + " WHERE job_key = 'claiming.job' AND scheduled_fire_time = '" + fired + "'"))
                    .as("the firing let through during close(): vetoed, its row finished")
                    .containsExactly("VETOED");
            assertThat(Db.count("SELECT count(*) FROM runs_close_claim")).isZero();
        } finally {
            letClaimFinish.countDown();
            closer.shutdownNow();
            scheduler.shutdown(true);
        }
    }

    private static Thread.State threadState(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(name))
                .map(Thread::getState)
                .findFirst()
                .orElse(Thread.State.TERMINATED);
    }
}
