package dev.baton.quartz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.lock.LockClient;
import dev.baton.lock.LockLease;
import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quartz.JobDetail;

/** Issue 11 item 9: every job has a key (lock name and ledger job_key) that no other job shares. */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JobLockGuardKeysIT {
    @Test
    void shouldNeitherVetoNorBlockAJobWhoseGroupAndNameJoinToTheSameDottedName(PostgresServer server) throws Exception {
        Db.createRuns("runs_keys");
        Instant start = Schedulers.wholeSecondAfter(1_500);
        Instant end = start.plusSeconds(2);
        JobDetail dottedGroup; // keys.x / y   (legacy key keys.x.y, shared with the job below)
        JobDetail dottedName; // keys / x.y
        try (Node a = Node.create(server, "keys-a", 4, "firings_keys", g -> g)) {
            dottedGroup = JobLockGuardIT.schedule(a, Jobs.RecordJob.class, "keys.x", "y", "runs_keys", start, end);
            dottedName = JobLockGuardIT.schedule(a, Jobs.RecordJob.class, "keys", "x.y", "runs_keys", start, end);
            a.start();
            await("all firings done").atMost(Duration.ofSeconds(30)).until(() -> JobLockGuardIT.done(a));
            for (JobDetail job : new JobDetail[] {dottedGroup, dottedName}) {
                assertThat(a.count(job.getKey(), "vetoed-locked"))
                        .as("%s vetoed by the other's lock", job.getKey())
                        .isZero();
                assertThat(a.count(job.getKey(), "vetoed-duplicate"))
                        .as("%s vetoed by the other's ledger row", job.getKey())
                        .isZero();
            }
        }
        Set<Instant> expected = Schedulers.fireTimes(start, end);
        Map<String, Map<Instant, Integer>> runs = Db.runsByFiring("runs_keys");
        for (String name : new String[] {"y", "x.y"}) {
            assertThat(runs.get(name)).as("runs of %s", name).isNotNull();
            assertThat(runs.get(name).keySet()).as("firings of %s", name).isEqualTo(expected);
            assertThat(runs.get(name).values())
                    .as("runs per firing of %s", name)
                    .containsOnly(1);
        }
        assertThat(Db.strings("SELECT DISTINCT job_key FROM firings_keys WHERE job_key LIKE 'keys%' ORDER BY 1"))
                .containsExactly("keys.x.y", "keys\\.x.y");
    }

    @Test
    void shouldHonourTheLedgerRowsAndLocksOfTheKeyOlderVersionsGaveAJob(PostgresServer server) throws Exception {
        Db.createRuns("runs_legacy");
        Db.exec(Docs.ledgerDdl("firings_legacy"));
        Instant start = Schedulers.wholeSecondAfter(1_500);
        Instant end = start.plusSeconds(2);
        // An older instance ran old.row/job's first firing, under the key older versions gave it: old.row.job.
        Db.exec(
                "INSERT INTO firings_legacy (job_key, scheduled_fire_time, instance_id, started_at, finished_at, outcome)"
                        + " VALUES ('old.row.job', '" + start + "', 'old-version', now(), now(), 'SUCCEEDED')");
        try (LockClient oldVersion = LockClient.builder(server.dataSource())
                        .instanceId("old-version")
                        .build();
                // ... and is running old.lock/job now, holding the lock older versions named it by.
                LockLease running = oldVersion.tryAcquire("quartz:old.lock.job").orElseThrow();
                Node a = Node.create(server, "legacy-a", 3, "firings_legacy", g -> g)) {
            JobDetail row =
                    JobLockGuardIT.schedule(a, Jobs.RecordJob.class, "old.row", "job", "runs_legacy", start, end);
            JobDetail lock =
                    JobLockGuardIT.schedule(a, Jobs.RecordJob.class, "old.lock", "job", "runs_legacy", start, end);
            a.start();
            await("all firings done").atMost(Duration.ofSeconds(30)).until(() -> JobLockGuardIT.done(a));
            assertThat(a.count(row.getKey(), "vetoed-duplicate"))
                    .as("the firing the old row records")
                    .isEqualTo(1);
            assertThat(a.count(lock.getKey(), "vetoed-locked"))
                    .as("every firing while an older instance holds the old lock")
                    .isEqualTo(Schedulers.fireTimes(start, end).size());
            assertThat(running.isValid()).isTrue();
        }
        Set<Instant> later = Schedulers.fireTimes(start.plusSeconds(1), end);
        assertThat(Db.runsByFiring("runs_legacy").get("job").keySet())
                .as("old.row/job ran every firing but the one the old row records; old.lock/job none")
                .isEqualTo(later);
        assertThat(Db.strings("SELECT job_key FROM firings_legacy WHERE scheduled_fire_time > '" + start
                        + "' AND job_key LIKE 'old%' GROUP BY 1"))
                .containsExactly("old\\.row.job");
    }
}
