package dev.baton.quartz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quartz.JobDetail;
import org.quartz.Scheduler;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;

/** Three schedulers, each with its own lock session, run the same cron jobs every second for 21 seconds. */
@ExtendWith(PostgresExtension.class)
class JobLockGuardClusterIT {
    private static final String RUNS = "runs_cluster";
    private static final String LEDGER = "firings_cluster";
    private static final List<String> GUARDED = List.of("a", "b", "c");

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRunEveryScheduledFiringExactlyOnceAcrossThreeSchedulers(PostgresServer server) throws Exception {
        Db.createRuns(RUNS);
        Db.exec("DROP TABLE IF EXISTS " + LEDGER);
        List<Scheduler> schedulers = new ArrayList<>();
        List<MetricRegistry> registries = new ArrayList<>();
        Instant start = Schedulers.wholeSecondAfter(4_000);
        Instant end = start.plusSeconds(21);
        try {
            for (int i = 0; i < 3; i++) {
                Scheduler s = Schedulers.create("cluster-" + i, 4);
                MetricRegistry registry = new MetricRegistry();
                registries.add(registry);
                JobLockGuard.builder(server.dataSource())
                        .instanceId("cluster-node-" + i)
                        .ledgerTable(LEDGER)
                        .jobs(GroupMatcher.jobGroupEquals("cluster"))
                        .metrics(registry)
                        .build()
                        .registerWith(s);
                for (String name : GUARDED) {
                    JobDetail job = Schedulers.job(Jobs.RecordJob.class, "cluster", name, RUNS);
                    s.scheduleJob(job, Schedulers.everySecond(job, start, end));
                }
                // Not matched by the guard: runs on every scheduler.
                JobDetail free = Schedulers.job(Jobs.RecordJob.class, "cluster-free", "free", RUNS);
                s.scheduleJob(free, Schedulers.everySecond(free, start, end));
                schedulers.add(s);
            }
            for (Scheduler s : schedulers) {
                s.start();
            }
            await("all triggers to finish")
                    .atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> allDone(schedulers));
        } finally {
            Schedulers.shutdownAll(schedulers); // waits for running jobs
        }

        Set<Instant> expected = Schedulers.fireTimes(start, end);
        Map<String, Map<Instant, Integer>> runs = Db.runsByFiring(RUNS);
        int firings = 0;
        int duplicates = 0;
        int lost = 0;
        for (String name : GUARDED) {
            Map<Instant, Integer> byTime = runs.getOrDefault(name, Map.of());
            assertThat(byTime.keySet()).as("fire times of job %s", name).isEqualTo(expected);
            assertThat(byTime.values()).as("runs per firing of job %s", name).containsOnly(1);
            for (Instant t : expected) {
                int n = byTime.getOrDefault(t, 0);
                firings += Math.min(n, 1);
                duplicates += Math.max(0, n - 1);
                lost += n == 0 ? 1 : 0;
            }
        }
        assertThat(runs.get("free").values())
                .as("the unguarded job runs on all three schedulers")
                .containsOnly(3);
        assertThat(runs.get("free").keySet()).isEqualTo(expected);

        long executed = 0;
        long vetoed = 0;
        for (MetricRegistry r : registries) {
            for (String name : GUARDED) {
                executed +=
                        r.counter("baton.quartz.cluster." + name + ".executed").getCount();
                vetoed += r.counter("baton.quartz.cluster." + name + ".vetoed-locked")
                                .getCount()
                        + r.counter("baton.quartz.cluster." + name + ".vetoed-duplicate")
                                .getCount();
                assertThat(r.counter("baton.quartz.cluster." + name + ".vetoed-error")
                                .getCount())
                        .isZero();
            }
        }
        assertThat(executed).isEqualTo((long) expected.size() * GUARDED.size());
        assertThat(vetoed).isEqualTo(2L * expected.size() * GUARDED.size());
        assertThat(Db.count("SELECT count(*) FROM " + LEDGER + " WHERE outcome = 'SUCCEEDED'"))
                .isEqualTo(executed);

        System.out.printf(
                "THREE-SCHEDULERS: scheduled firings=%d, ran=%d, duplicates=%d, lost=%d (jobs %s over %s..%s)%n",
                expected.size() * GUARDED.size(), firings, duplicates, lost, GUARDED, start, end);
        printMillis("guard overhead per firing (lock + ledger + release)", registries, "overhead");
        printMillis("lock latency (tryLock incl. owner-thread hop)", registries, "lock-latency");
    }

    private static boolean allDone(List<Scheduler> schedulers) throws Exception {
        for (Scheduler s : schedulers) {
            for (String group : List.of("cluster", "cluster-free")) {
                for (TriggerKey key : s.getTriggerKeys(GroupMatcher.triggerGroupEquals(group))) {
                    Trigger.TriggerState state = s.getTriggerState(key);
                    if (state != Trigger.TriggerState.NONE && state != Trigger.TriggerState.COMPLETE) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    static void printMillis(String what, List<MetricRegistry> registries, String metric) {
        List<Long> values = new ArrayList<>();
        for (MetricRegistry r : registries) {
            for (Map.Entry<String, Timer> e : r.getTimers().entrySet()) {
                if (e.getKey().endsWith("." + metric)) {
                    for (long v : e.getValue().getSnapshot().getValues()) {
                        values.add(v);
                    }
                }
            }
        }
        long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
        if (sorted.length == 0) {
            System.out.printf("%s: no samples%n", what);
            return;
        }
        System.out.printf(
                "%s: n=%d median=%.3f ms p90=%.3f ms max=%.3f ms%n",
                what,
                sorted.length,
                sorted[sorted.length / 2] / 1e6,
                sorted[(int) (sorted.length * 0.9)] / 1e6,
                Arrays.stream(sorted).max().getAsLong() / 1e6);
    }
}
