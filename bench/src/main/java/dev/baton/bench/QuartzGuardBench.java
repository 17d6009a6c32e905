package dev.baton.bench;

import dev.baton.quartz.JobLockGuard;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.quartz.CronScheduleBuilder;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;

/**
 * The Quartz guard at load: three schedulers (RAMJobStore, one JVM) with the same jobs, each firing every second;
 * unguarded (every firing runs on all three), guarded by locks only, and guarded with the firing ledger. Per firing,
 * the delay from its scheduled fire time to the job starting; the guard's added latency is the difference to the
 * unguarded run.
 */
@SuppressWarnings("JavaUtilDate") // Quartz's API speaks java.util.Date
final class QuartzGuardBench {
    private QuartzGuardBench() {}

    /** One run of the job: which job, which scheduled second, when it started. */
    record Run(String job, long scheduledMs, long startedNanos, long delayMicros) {}

    static final Queue<Run> RUNS = new ConcurrentLinkedQueue<>();

    /** Records its start; does no work (the guard's cost is what is measured). */
    public static final class RecordJob implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            long nanos = System.nanoTime();
            Instant started = Instant.now();
            long scheduled = context.getScheduledFireTime().getTime();
            long delay =
                    Duration.between(Instant.ofEpochMilli(scheduled), started).toNanos() / 1000;
            RUNS.add(new Run(context.getJobDetail().getKey().getName(), scheduled, nanos, delay));
        }
    }

    enum Mode {
        UNGUARDED("no guard (each firing runs on all 3)"),
        LOCKS_ONLY("guard, locks only (withoutLedger)"),
        LEDGER("guard with the firing ledger");

        final String label;

        Mode(String label) {
            this.label = label;
        }
    }

    static Report.Table run(Bench b) throws Exception {
        int jobs = b.trials(100, 20);
        int seconds = b.trials(30, 4);
        Report.Table t = new Report.Table(
                "quartz-guard",
                "Quartz guard: three schedulers, " + jobs + " jobs every second",
                "Three schedulers (RAMJobStore, 10 worker threads each, one JVM) with the same " + jobs + " jobs,"
                        + " each on a cron trigger every second, for " + seconds + " s per mode; modes run one after"
                        + " another. Without the ledger a short job can release its lock before a late node's"
                        + " trigger fires, and that node runs the same firing again (the duplicates column); the"
                        + " ledger records each firing and vetoes a second run. Delay: from a firing's scheduled time to its job starting (p50/p99 over every run"
                        + " of every job); added latency is the guarded median minus the unguarded median.",
                List.of(
                        "mode",
                        "firings scheduled",
                        "firings that ran",
                        "runs per second (all nodes)",
                        "firings with more than one run",
                        "delay p50 ms",
                        "delay p99 ms",
                        "added p50 ms"));
        t.chart("ms from scheduled fire time to job start", false);
        double unguardedMedian = Double.NaN;
        for (Mode mode : Mode.values()) {
            Bench.progress("quartz guard: %s", mode.label);
            List<Run> runs = runMode(b, mode, jobs, seconds);
            Map<String, Integer> perFiring = new HashMap<>();
            for (Run r : runs) {
                perFiring.merge(r.job + "@" + r.scheduledMs, 1, Integer::sum);
            }
            long duplicates = perFiring.values().stream().filter(n -> n > 1).count();
            double[] delayMs =
                    runs.stream().mapToDouble(r -> r.delayMicros / 1e3).toArray();
            Stats s = Stats.of(delayMs);
            if (mode == Mode.UNGUARDED) {
                unguardedMedian = s.median();
            }
            t.row(
                    mode.label,
                    jobs * seconds,
                    perFiring.size(),
                    runs.size() / (double) seconds,
                    duplicates,
                    s.median(),
                    s.p99(),
                    mode == Mode.UNGUARDED ? Double.NaN : s.median() - unguardedMedian);
            t.bar(mode.label, s.median(), s.p99());
        }
        return t;
    }

    private static List<Run> runMode(Bench b, Mode mode, int jobs, int seconds) throws Exception {
        RUNS.clear();
        List<Scheduler> schedulers = new ArrayList<>();
        List<JobLockGuard> guards = new ArrayList<>();
        String ledger = "bench_firings_" + mode.name().toLowerCase(java.util.Locale.ROOT);
        Instant start = Instant.ofEpochMilli((System.currentTimeMillis() / 1000 + 3) * 1000);
        Instant end = start.plusSeconds(seconds - 1);
        try {
            for (int n = 0; n < 3; n++) {
                String name = "bench-" + mode.name().toLowerCase(java.util.Locale.ROOT) + "-" + n;
                Scheduler s = scheduler(name);
                schedulers.add(s);
                if (mode != Mode.UNGUARDED) {
                    JobLockGuard.Builder g = JobLockGuard.builder(b.dataSource())
                            .name("bench-guard-" + n)
                            .instanceId(name);
                    if (mode == Mode.LOCKS_ONLY) {
                        g.withoutLedger();
                    } else {
                        g.ledgerTable(ledger);
                    }
                    JobLockGuard guard = g.build();
                    guards.add(guard);
                    guard.registerWith(s);
                }
                for (int j = 0; j < jobs; j++) {
                    JobDetail job = JobBuilder.newJob(RecordJob.class)
                            .withIdentity("job-" + j, "bench")
                            .build();
                    Trigger trigger = TriggerBuilder.newTrigger()
                            .withIdentity("job-" + j, "bench")
                            .forJob(job)
                            .withSchedule(CronScheduleBuilder.cronSchedule("* * * * * ?")
                                    .withMisfireHandlingInstructionDoNothing())
                            .startAt(Date.from(start))
                            .endAt(Date.from(end))
                            .build();
                    s.scheduleJob(job, trigger);
                }
            }
            for (Scheduler s : schedulers) {
                s.start();
            }
            // Waits out the schedule (the figures are the runs in it); then lets the last firings finish.
            long until = end.plusSeconds(5).toEpochMilli();
            while (System.currentTimeMillis() < until) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        } finally {
            for (Scheduler s : schedulers) {
                s.shutdown(true);
            }
            for (JobLockGuard g : guards) {
                g.close();
            }
        }
        return new ArrayList<>(RUNS);
    }

    private static Scheduler scheduler(String name) throws SchedulerException {
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", name);
        p.setProperty("org.quartz.scheduler.instanceId", name);
        p.setProperty("org.quartz.threadPool.threadCount", "10");
        p.setProperty("org.quartz.threadPool.threadNamePrefix", name + "_Worker");
        p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        return new StdSchedulerFactory(p).getScheduler();
    }
}
