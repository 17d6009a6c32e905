package dev.baton.quartz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import dev.baton.election.LeaderElector;
import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quartz.JobDetail;
import org.quartz.Scheduler;

/** Leader-only mode: only the elector's leader runs guarded jobs; after a hand-over the new leader does. */
@ExtendWith(PostgresExtension.class)
class JobLockGuardLeaderIT {

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldRunGuardedJobsOnlyOnTheLeaderAndFollowAHandOver(PostgresServer server) throws Exception {
        Db.createRuns("runs_leader");
        Db.exec("DROP TABLE IF EXISTS firings_leader");
        LeaderElector first = LeaderElector.builder(server.dataSource(), "quartz-guard-it")
                .instanceId("leader-a")
                .build();
        LeaderElector second = LeaderElector.builder(server.dataSource(), "quartz-guard-it")
                .instanceId("leader-b")
                .build();
        Scheduler a = Schedulers.create("leader-a", 2);
        Scheduler b = Schedulers.create("leader-b", 2);
        MetricRegistry metricsB = new MetricRegistry();
        try {
            first.start();
            assertThat(first.awaitLeadership(Duration.ofSeconds(20))).isTrue();
            second.start();
            JobLockGuard.builder(first)
                    .ledgerDataSource(server.dataSource())
                    .ledgerTable("firings_leader")
                    .build()
                    .registerWith(a);
            JobLockGuard.builder(second)
                    .ledgerDataSource(server.dataSource())
                    .ledgerTable("firings_leader")
                    .metrics(metricsB)
                    .build()
                    .registerWith(b);
            for (Scheduler s : List.of(a, b)) {
                JobDetail job = Schedulers.job(Jobs.RecordJob.class, "leader", "job", "runs_leader");
                s.scheduleJob(job, Schedulers.everySecond(job, Instant.now(), null));
                s.start();
            }
            await("the leader runs firings")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> Db.count("SELECT count(*) FROM runs_leader WHERE instance = 'leader-a'") >= 3);
            assertThat(Db.count("SELECT count(*) FROM runs_leader WHERE instance = 'leader-b'"))
                    .isZero();
            assertThat(metricsB.counter("baton.quartz.leader.job.vetoed-not-leader")
                            .getCount())
                    .isPositive();

            first.close(); // hand-over
            assertThat(second.awaitLeadership(Duration.ofSeconds(20))).isTrue();
            await("the new leader runs firings")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> Db.count("SELECT count(*) FROM runs_leader WHERE instance = 'leader-b'") >= 2);
        } finally {
            Schedulers.shutdownAll(List.of(a, b));
            first.close();
            second.close();
        }
        Map<Instant, Integer> runs = Db.runsByFiring("runs_leader").get("job");
        assertThat(runs.values()).as("no firing ran twice").containsOnly(1);
    }
}
