package dev.baton.quartz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.lock.LockClient;
import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quartz.JobDetail;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;

@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JobLockGuardIT {
    private static LockClient probe;

    @BeforeAll
    static void openProbe(PostgresServer server) {
        probe = LockClient.builder(server.dataSource()).instanceId("probe").build();
    }

    @AfterAll
    static void closeProbe() {
        probe.close();
    }

    @Nested
    class LateInstance {
        @Test
        void shouldRunEachFiringOnceWithTheLedgerButTwiceWithLocksAlone(PostgresServer server) throws Exception {
            Db.createRuns("runs_late_ledger");
            Db.createRuns("runs_late_locks");
            Instant start = Schedulers.wholeSecondAfter(2_000);
            Instant end = start.plusSeconds(4);
            // Both variants at once: two instances each, one of them late by more than the job's run time.
            try (Node a = node(server, "late-ledger-a", "runs_late_ledger", false, true);
                    Node b = node(server, "late-ledger-b", "runs_late_ledger", true, true);
                    Node c = node(server, "late-locks-a", "runs_late_locks", false, false);
                    Node d = node(server, "late-locks-b", "runs_late_locks", true, false)) {
                for (Node n : List.of(a, b)) {
                    schedule(n, Jobs.RecordJob.class, "late-ledger", "job", "runs_late_ledger", start, end);
                }
                for (Node n : List.of(c, d)) {
                    schedule(n, Jobs.RecordJob.class, "late-locks", "job", "runs_late_locks", start, end);
                }
                for (Node n : List.of(a, b, c, d)) {
                    n.start();
                }
                await("all firings done").atMost(Duration.ofSeconds(40)).until(() -> done(a, b, c, d));
            }
            Set<Instant> expected = Schedulers.fireTimes(start, end);
            Map<Instant, Integer> withLedger =
                    Db.runsByFiring("runs_late_ledger").get("job");
            Map<Instant, Integer> locksOnly = Db.runsByFiring("runs_late_locks").get("job");
            assertThat(withLedger.keySet()).isEqualTo(expected);
            assertThat(withLedger.values())
                    .as("with the ledger: once per firing")
                    .containsOnly(1);
            // ShedLock-style locking: the lock was free again when the late instance fired, so it ran again.
            assertThat(locksOnly.keySet()).isEqualTo(expected);
            assertThat(locksOnly.values())
                    .as("locks alone: the late instance repeats firings")
                    .containsOnly(2);
        }

        private Node node(PostgresServer server, String name, String runs, boolean late, boolean ledger)
                throws Exception {
            Node n = Node.create(server, name, 3, "firings_late", g -> ledger ? g : g.withoutLedger());
            if (late) {
                n.scheduler.getListenerManager().addTriggerListener(new Listeners.LateInstance(runs, probe));
            }
            return n;
        }
    }

    @Nested
    class MatcherSelection {
        @Test
        void shouldGuardOnlyTheJobsTheMatcherSelects(PostgresServer server) throws Exception {
            Db.createRuns("runs_matcher");
            Instant start = Schedulers.wholeSecondAfter(1_500);
            Instant end = start.plusSeconds(2);
            org.quartz.Matcher<org.quartz.JobKey> matched =
                    org.quartz.impl.matchers.GroupMatcher.jobGroupEquals("matched");
            try (Node a = Node.create(server, "matcher-a", 2, "firings_matcher", g -> g.jobs(matched));
                    Node b = Node.create(server, "matcher-b", 2, "firings_matcher", g -> g.jobs(matched))) {
                for (Node n : List.of(a, b)) {
                    schedule(n, Jobs.RecordJob.class, "matched", "job", "runs_matcher", start, end);
                    schedule(n, Jobs.RecordJob.class, "other", "other", "runs_matcher", start, end);
                    n.start();
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> done(a, b));
            }
            Set<Instant> expected = Schedulers.fireTimes(start, end);
            Map<String, Map<Instant, Integer>> runs = Db.runsByFiring("runs_matcher");
            assertThat(runs.get("job").keySet()).isEqualTo(expected);
            assertThat(runs.get("job").values()).as("guarded: once per firing").containsOnly(1);
            assertThat(runs.get("other").keySet()).isEqualTo(expected);
            assertThat(runs.get("other").values())
                    .as("not matched: on both instances")
                    .containsOnly(2);
            assertThat(Db.count("SELECT count(*) FROM firings_matcher WHERE job_key = 'other.other'"))
                    .as("unmatched jobs leave no ledger rows")
                    .isZero();
        }
    }

    @Nested
    class ReleaseOnEveryPath {
        @Test
        void shouldReleaseAfterAJobThatThrowsAndRunTheNextFiring(PostgresServer server) throws Exception {
            Db.createRuns("runs_throw");
            Instant start = Schedulers.wholeSecondAfter(1_500);
            Instant end = start.plusSeconds(3);
            try (Node a = Node.create(server, "throw-a", 2, "firings_paths", g -> g);
                    Node b = Node.create(server, "throw-b", 2, "firings_paths", g -> g)) {
                for (Node n : List.of(a, b)) {
                    schedule(n, Jobs.ThrowingJob.class, "throw", "job", "runs_throw", start, end);
                    n.start();
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> done(a, b));
            }
            Map<Instant, Integer> runs = Db.runsByFiring("runs_throw").get("job");
            assertThat(runs.keySet()).isEqualTo(Schedulers.fireTimes(start, end));
            assertThat(runs.values()).containsOnly(1);
            assertThat(Db.strings("SELECT DISTINCT outcome FROM firings_paths WHERE job_key = 'throw.job'"))
                    .containsExactly("FAILED");
            assertThat(probe.isLocked("quartz:throw.job")).isFalse();
        }

        @Test
        void shouldVetoOverlapsOfAJobLongerThanItsPeriodAndRunTheNextFiringAfterIt(PostgresServer server)
                throws Exception {
            Db.createRuns("runs_long");
            CountDownLatch gate = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(1);
            Jobs.GATES.put("long", gate);
            Jobs.STARTED.put("long", started);
            Instant start = Schedulers.wholeSecondAfter(1_000);
            try (Node a = Node.create(server, "long-a", 3, "firings_paths", g -> g);
                    Node b = Node.create(server, "long-b", 3, "firings_paths", g -> g)) {
                for (Node n : List.of(a, b)) {
                    schedule(n, Jobs.BlockingJob.class, "long", "long", "runs_long", start, null);
                    n.start();
                }
                assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
                JobDetail job = Schedulers.job(Jobs.BlockingJob.class, "long", "long", "runs_long");
                await("later firings vetoed while the first runs")
                        .atMost(Duration.ofSeconds(20))
                        .until(() ->
                                a.count(job.getKey(), "vetoed-locked") + b.count(job.getKey(), "vetoed-locked") >= 4);
                assertThat(Db.count("SELECT count(*) FROM runs_long")).isEqualTo(1);
                gate.countDown();
                await("the next firing runs")
                        .atMost(Duration.ofSeconds(20))
                        .until(() -> Db.count("SELECT count(*) FROM runs_long") >= 3);
            } finally {
                gate.countDown();
            }
            assertThat(Jobs.MAX_RUNNING.get("long").get())
                    .as("never two runs at once")
                    .isEqualTo(1);
        }

        @Test
        void shouldReleaseWhenTheSchedulerIsShutDownMidJob(PostgresServer server) throws Exception {
            Db.createRuns("runs_shutdown");
            CountDownLatch gate = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(1);
            Jobs.GATES.put("shut", gate);
            Jobs.STARTED.put("shut", started);
            Instant start = Schedulers.wholeSecondAfter(1_000);
            try (Node a = Node.create(server, "shut-a", 2, "firings_paths", g -> g);
                    Node b = Node.create(server, "shut-b", 2, "firings_paths", g -> g)) {
                schedule(a, Jobs.BlockingJob.class, "shut", "shut", "runs_shutdown", start, null);
                a.start();
                assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
                schedule(b, Jobs.BlockingJob.class, "shut", "shut", "runs_shutdown", start, null);
                b.start();
                JobDetail job = Schedulers.job(Jobs.BlockingJob.class, "shut", "shut", "runs_shutdown");
                await("b vetoed while a runs")
                        .atMost(Duration.ofSeconds(20))
                        .until(() -> b.count(job.getKey(), "vetoed-locked") >= 1);
                a.scheduler.shutdown(false); // returns at once; the job is still running
                assertThat(probe.isLocked("quartz:shut.shut")).isTrue();
                gate.countDown();
                await("b runs the next firing")
                        .atMost(Duration.ofSeconds(20))
                        .until(() -> Db.count("SELECT count(*) FROM runs_shutdown WHERE instance = 'shut-b'") >= 1);
                await("a's guard closed its lock session after its last firing")
                        .atMost(Duration.ofSeconds(10))
                        .until(() -> Db.count("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'shut-a'")
                                == 0);
            } finally {
                gate.countDown();
            }
        }

        @Test
        void shouldReleaseWhenAnotherListenerVetoesAfterOurs(PostgresServer server) throws Exception {
            Db.createRuns("runs_vetoed");
            Listeners.Veto veto = new Listeners.Veto();
            try (LogCapture log = new LogCapture();
                    Node a = Node.create(server, "vetoed-a", 2, "firings_paths", g -> g)) {
                JobDetail job = schedule(a, Jobs.RecordJob.class, "vetoed", "job", "runs_vetoed", Instant.now(), null);
                a.guard.registerWith(a.scheduler);
                a.scheduler.getListenerManager().addTriggerListener(veto); // after ours
                a.scheduler.start();
                await("firings vetoed by the other listener")
                        .atMost(Duration.ofSeconds(20))
                        .until(() -> Db.count("SELECT count(*) FROM firings_paths WHERE job_key = 'vetoed.job'"
                                        + " AND outcome = 'VETOED'")
                                >= 2);
                veto.on.set(false);
                // Recorded (VETOED: no other instance runs them), and that they never ran is counted and logged.
                assertThat(a.count(job.getKey(), "vetoed-by-listener")).isGreaterThanOrEqualTo(2);
                assertThat(log.lines("WARN", "another trigger listener vetoed the firing of vetoed.job"))
                        .hasSizeGreaterThanOrEqualTo(2);
                await("the next firing runs")
                        .atMost(Duration.ofSeconds(20))
                        .until(() -> Db.count("SELECT count(*) FROM runs_vetoed") >= 1);
            }
            assertThat(probe.isLocked("quartz:vetoed.job")).isFalse();
        }

        @Test
        void shouldReleaseWhenALaterListenerThrowsAndQuartzSkipsEveryCallback(PostgresServer server) throws Exception {
            Db.createRuns("runs_thrown");
            Listeners.ThrowOnce thrower = new Listeners.ThrowOnce(1);
            try (Node a = Node.create(server, "thrown-a", 1, "firings_paths", g -> g)) {
                schedule(a, Jobs.PlainRecordJob.class, "thrown", "job", "runs_thrown", Instant.now(), null);
                a.guard.registerWith(a.scheduler);
                a.scheduler.getListenerManager().addTriggerListener(thrower);
                a.scheduler.start();
                await("the firing after the one that leaked runs")
                        .atMost(Duration.ofSeconds(20))
                        .until(() -> Db.count("SELECT count(*) FROM runs_thrown") >= 2);
                assertThat(thrower.left.get()).isNegative();
            }
            assertThat(Db.strings("SELECT outcome FROM firings_paths WHERE job_key = 'thrown.job' AND outcome"
                            + " = 'UNKNOWN'"))
                    .hasSize(1);
        }

        @Test
        void shouldReleaseALeakedFiringWhenItsWorkerRunsAnUnguardedJob(PostgresServer server) throws Exception {
            Db.createRuns("runs_leak_m");
            Db.createRuns("runs_leak_u");
            Listeners.ThrowOnce thrower = new Listeners.ThrowOnce(1);
            try (Node a = Node.create(
                    server, "leak-a", 1, "firings_paths", g -> g.jobs(GroupMatcher.jobGroupEquals("leakm")))) {
                Instant start = Instant.now();
                schedule(a, Jobs.PlainRecordJob.class, "leakm", "job", "runs_leak_m", start, start); // fires once
                schedule(a, Jobs.PlainRecordJob.class, "leaku", "job", "runs_leak_u", start.plusSeconds(2), null);
                a.guard.registerWith(a.scheduler);
                a.scheduler.getListenerManager().addTriggerListener(thrower); // throws for the guarded firing
                a.scheduler.start();
                await("the one worker runs the unguarded job")
                        .atMost(Duration.ofSeconds(20))
                        .until(() -> Db.count("SELECT count(*) FROM runs_leak_u") >= 1);
                assertThat(thrower.left.get()).isNegative();
                assertThat(probe.isLocked("quartz:leakm.job"))
                        .as("the leaked guarded firing's lock, released by its worker's next firing")
                        .isFalse();
                assertThat(Db.strings("SELECT outcome FROM firings_paths WHERE job_key = 'leakm.job'"))
                        .containsExactly("UNKNOWN");
            }
        }
    }

    @Nested
    class Failures {
        @Test
        void shouldVetoAndNeverLeaveTheTriggerBlockedWhenTheGuardFails(PostgresServer server) throws Exception {
            Db.createRuns("runs_flaky");
            FlakyDataSource ledger = new FlakyDataSource(server.dataSource());
            try (Node a = Node.create(server, "flaky-a", 2, "firings_flaky", g -> g.ledgerDataSource(ledger))) {
                JobDetail job = schedule(a, Jobs.RecordJob.class, "flaky", "job", "runs_flaky", Instant.now(), null);
                a.start();
                await("failing firings vetoed and counted")
                        .atMost(Duration.ofSeconds(20))
                        .until(() -> a.count(job.getKey(), "vetoed-error") >= 2);
                assertThat(a.scheduler.getTriggerState(TriggerKey.triggerKey("job", "flaky")))
                        .isNotEqualTo(Trigger.TriggerState.BLOCKED);
                assertThat(Db.count("SELECT count(*) FROM runs_flaky")).isZero();
                assertThat(probe.isLocked("quartz:flaky.job")).isFalse();
                ledger.failing.set(false);
                await("the next firing runs")
                        .atMost(Duration.ofSeconds(20))
                        .until(() -> Db.count("SELECT count(*) FROM runs_flaky") >= 1);
            }
        }

        @Test
        void shouldVetoInsteadOfWaitingWhenTheLedgerIsLockedByAMigration(PostgresServer server) throws Exception {
            Db.createRuns("runs_locked_ledger");
            Db.exec(Docs.ledgerDdl("firings_locked"));
            try (java.sql.Connection migration = server.connect()) {
                migration.setAutoCommit(false);
                try (java.sql.Statement st = migration.createStatement()) {
                    st.execute("LOCK TABLE firings_locked IN ACCESS EXCLUSIVE MODE"); // held until rollback
                }
                try (Node a = Node.create(
                        server, "locked-a", 2, "firings_locked", g -> g.operationTimeout(Duration.ofSeconds(1)))) {
                    JobDetail job = schedule(
                            a, Jobs.RecordJob.class, "locked", "job", "runs_locked_ledger", Instant.now(), null);
                    a.start();
                    await("firings vetoed after the query timeout, not stuck")
                            .atMost(Duration.ofSeconds(30))
                            .until(() -> a.count(job.getKey(), "vetoed-error") >= 2);
                    assertThat(Db.count("SELECT count(*) FROM runs_locked_ledger"))
                            .isZero();
                    migration.rollback();
                    await("the next firing runs once the table is free")
                            .atMost(Duration.ofSeconds(30))
                            .until(() -> Db.count("SELECT count(*) FROM runs_locked_ledger") >= 1);
                }
            }
        }
    }

    @Nested
    class Ledger {
        @Test
        void shouldMarkAbandonedFiringsAndRecoverThoseOfRecoverableJobsOnce(PostgresServer server) throws Exception {
            Db.createRuns("runs_abandoned");
            Db.exec(Docs.ledgerDdl("firings_abandoned"));
            Db.exec("DELETE FROM firings_abandoned");
            Instant past = Instant.parse("2026-01-01T00:00:00Z");
            for (String job : List.of("abandoned.recover", "abandoned.norecover")) {
                Db.exec("INSERT INTO firings_abandoned (job_key, scheduled_fire_time, instance_id, started_at)"
                        + " VALUES ('" + job + "', '" + past + "', 'dead-node', now())");
            }
            try (Node a = Node.create(server, "abandon-a", 3, "firings_abandoned", g -> g);
                    Node b = Node.create(server, "abandon-b", 3, "firings_abandoned", g -> g)) {
                for (Node n : List.of(a, b)) {
                    JobDetail recover = org.quartz.JobBuilder.newJob(Jobs.RecordJob.class)
                            .withIdentity("recover", "abandoned")
                            .usingJobData("table", "runs_abandoned")
                            .requestRecovery()
                            .build();
                    n.scheduler.scheduleJob(recover, Schedulers.everySecond(recover, Instant.now(), null));
                    schedule(n, Jobs.RecordJob.class, "abandoned", "norecover", "runs_abandoned", Instant.now(), null);
                    n.start();
                }
                String row =
                        "SELECT coalesce(outcome, 'RUNNING') || ' ' || instance_id FROM firings_abandoned WHERE job_key = ?"
                                + " AND scheduled_fire_time = '" + past + "'";
                await("the recoverable firing ran once more on a survivor")
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> Db.strings(row, "abandoned.recover").get(0).startsWith("SUCCEEDED abandon-"));
                assertThat(Db.strings(row, "abandoned.norecover")).containsExactly("ABANDONED dead-node");
                JobDetail any = Schedulers.job(Jobs.RecordJob.class, "abandoned", "recover", "x");
                assertThat(a.count(any.getKey(), "abandoned") + b.count(any.getKey(), "abandoned"))
                        .isEqualTo(1);
            }
        }

        @Test
        void shouldPurgeRowsOlderThanTheRetention(PostgresServer server) throws Exception {
            Db.createRuns("runs_purge");
            Db.exec(Docs.ledgerDdl("firings_purge"));
            Db.exec("INSERT INTO firings_purge (job_key, scheduled_fire_time, instance_id, started_at, finished_at,"
                    + " outcome) VALUES ('purge.old', now() - interval '2 days', 'x', now() - interval '2 days',"
                    + " now() - interval '2 days', 'SUCCEEDED')");
            try (Node a = Node.create(server, "purge-a", 1, "firings_purge", g -> g.ledgerRetention(Duration.ofDays(1))
                            .ledgerPurgeInterval(Duration.ofMillis(200)))
                    .start()) {
                await("old row purged")
                        .atMost(Duration.ofSeconds(20))
                        .until(() -> Db.count("SELECT count(*) FROM firings_purge WHERE job_key = 'purge.old'") == 0);
            }
        }
    }

    static JobDetail schedule(
            Node node,
            Class<? extends org.quartz.Job> type,
            String group,
            String name,
            String runs,
            Instant start,
            Instant end)
            throws Exception {
        JobDetail job = Schedulers.job(type, group, name, runs);
        node.scheduler.scheduleJob(job, Schedulers.everySecond(job, start, end));
        return job;
    }

    static boolean done(Node... nodes) throws Exception {
        for (Node n : nodes) {
            for (String group : n.scheduler.getTriggerGroupNames()) {
                for (TriggerKey key :
                        n.scheduler.getTriggerKeys(org.quartz.impl.matchers.GroupMatcher.triggerGroupEquals(group))) {
                    Trigger.TriggerState s = n.scheduler.getTriggerState(key);
                    if (s != Trigger.TriggerState.NONE && s != Trigger.TriggerState.COMPLETE) {
                        return false;
                    }
                }
            }
        }
        return true;
    }
}
