package dev.baton.quartz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import dev.baton.testkit.Measurements;
import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
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
        runThreeSchedulers(server);
    }

    @Test
    @Tag("measure")
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void measureGuardOverheadAcrossThreeSchedulers(PostgresServer server) throws Exception {
        List<MetricRegistry> registries = runThreeSchedulers(server);
        printMillis("guard overhead per firing (lock + ledger + release)", registries, "overhead");
        printMillis("lock latency (tryLock incl. owner-thread hop)", registries, "lock-latency");
    }

    /** Runs the cluster and asserts each guarded firing ran once; returns the schedulers' metric registries. */
    private static List<MetricRegistry> runThreeSchedulers(PostgresServer server) throws Exception {
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
        for (String name : GUARDED) {
            Map<Instant, Integer> byTime = runs.getOrDefault(name, Map.of());
            assertThat(byTime.keySet()).as("fire times of job %s", name).isEqualTo(expected);
            assertThat(byTime.values()).as("runs per firing of job %s", name).containsOnly(1);
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
        return registries;
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

    private static void printMillis(String what, List<MetricRegistry> registries, String metric) {
        List<Double> values = new ArrayList<>();
        for (MetricRegistry r : registries) {
            for (Map.Entry<String, Timer> e : r.getTimers().entrySet()) {
                if (e.getKey().endsWith("." + metric)) {
                    for (long nanos : e.getValue().getSnapshot().getValues()) {
                        values.add(nanos / 1e6);
                    }
                }
            }
        }
        Measurements.printMillis(what, values);
    }
}
