package dev.baton.quartz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import dev.baton.election.LeaderElector;
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

/**
 * Firings of one job on one scheduler, overlapping because the job outlasts its period: the lease is not re-entrant,
 * so the later ones are vetoed as vetoed-locked, in lock mode and in leader-only mode alike.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JobLockGuardSameJvmIT {

    @Test
    void shouldVetoASecondFiringOfTheSameJobInThisJvm(PostgresServer server) throws Exception {
        Db.createRuns("runs_same_jvm");
        CountDownLatch gate = gate("samejvm");
        try (Node a = Node.create(server, "same-jvm-a", 3, "firings_same_jvm", g -> g)) {
            JobDetail job = JobLockGuardIT.schedule(
                    a, Jobs.BlockingJob.class, "samejvm", "samejvm", "runs_same_jvm", Instant.now(), null);
            a.start();
            await("later firings vetoed on the same scheduler while the first runs")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> a.count(job.getKey(), "vetoed-locked") >= 2);
            gate.countDown();
            await("a firing after the long one runs")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> Db.count("SELECT count(*) FROM runs_same_jvm") >= 2);
        } finally {
            gate.countDown();
        }
        assertThat(Jobs.MAX_RUNNING.get("samejvm").get())
                .as("never two runs at once")
                .isEqualTo(1);
    }

    @Test
    void shouldVetoASecondFiringOfTheSameJobInLeaderOnlyMode(PostgresServer server) throws Exception {
        Db.createRuns("runs_same_leader");
        CountDownLatch gate = gate("sameleader");
        MetricRegistry metrics = new MetricRegistry();
        Scheduler scheduler = Schedulers.create("same-leader-a", 3);
        try (LeaderElector elector = LeaderElector.builder(server.dataSource(), "same-jvm-it")
                .instanceId("same-leader-a")
                .build()) {
            elector.start();
            assertThat(elector.awaitLeadership(Duration.ofSeconds(20))).isTrue();
            JobLockGuard.builder(elector)
                    .withoutLedger()
                    .metrics(metrics)
                    .build()
                    .registerWith(scheduler);
            JobDetail job = Schedulers.job(Jobs.BlockingJob.class, "sameleader", "sameleader", "runs_same_leader");
            scheduler.scheduleJob(job, Schedulers.everySecond(job, Instant.now(), null));
            scheduler.start();
            await("later firings vetoed while the first runs")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> metrics.counter("baton.quartz.sameleader.sameleader.vetoed-locked")
                                    .getCount()
                            >= 2);
            gate.countDown();
            await("a firing after the long one runs")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> Db.count("SELECT count(*) FROM runs_same_leader") >= 2);
        } finally {
            gate.countDown();
            scheduler.shutdown(true);
        }
        assertThat(Jobs.MAX_RUNNING.get("sameleader").get())
                .as("never two runs at once")
                .isEqualTo(1);
    }

    private static CountDownLatch gate(String job) {
        CountDownLatch gate = new CountDownLatch(1);
        Jobs.GATES.put(job, gate);
        return gate;
    }
}
