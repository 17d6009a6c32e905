package dev.baton.quartz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Trigger;
import org.quartz.TriggerKey;

/** PostgreSQL stopped under a running guard: fail closed, count it, recover by itself after the restart. */
@ExtendWith(PostgresExtension.class)
class JobLockGuardOutageIT {

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldVetoWhilePostgresIsDownAndRecoverByItselfAfterRestart(PostgresServer server) throws Exception {
        assumeFalse(
                server.isExternal(),
                "skipped: needs a server this JVM can stop and restart (BATON_TEST_JDBC_URL"
                        + " points at an external one)");
        Db.createRuns("runs_outage");
        JobKey key = JobKey.jobKey("job", "outage");
        try (Node a = Node.create(server, "outage-a", 2, "firings_outage", g -> g)) {
            JobDetail job = Schedulers.job(Jobs.RecordJob.class, "outage", "job", "runs_outage");
            a.scheduler.scheduleJob(job, Schedulers.everySecond(job, Instant.now(), null));
            a.start();
            await("a first run").atMost(Duration.ofSeconds(20)).until(() -> a.count(key, "executed") >= 1);

            server.stop();
            try {
                await("firings vetoed while PostgreSQL is down")
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> a.count(key, "vetoed-error") >= 1);
                long executedDuringOutage = a.count(key, "executed");
                await("more firings vetoed")
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> a.count(key, "vetoed-error") >= 3);
                assertThat(a.count(key, "executed"))
                        .as("nothing ran unguarded during the outage")
                        .isEqualTo(executedDuringOutage);
                assertThat(a.scheduler.getTriggerState(TriggerKey.triggerKey("job", "outage")))
                        .isNotEqualTo(Trigger.TriggerState.BLOCKED);
            } finally {
                server.restart();
            }
            long executed = a.count(key, "executed");
            await("the guard recovers by itself")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> a.count(key, "executed") >= executed + 2);
        }
        assertThat(Db.count("SELECT count(*) FROM firings_outage WHERE outcome = 'SUCCEEDED'"))
                .isPositive();
    }
}
