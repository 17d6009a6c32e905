package dev.baton.examples;

import dev.baton.quartz.JobLockGuard;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.quartz.CronScheduleBuilder;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;

/**
 * go-pglock's scheduled job coordination, with Quartz: two instances of a service, each with its own in-memory
 * scheduler, fire the same every-second cron job; {@link JobLockGuard} (one call to register) lets each scheduled
 * firing run on exactly one of them, and its ledger keeps a firing from running twice even when clocks differ.
 * Returns, per scheduled fire time seen, the instances that ran it.
 */
public final class ScheduledJobs {
    private static final int FIRINGS = 3;
    static final Map<Long, List<String>> RUNS = new ConcurrentHashMap<>();
    private static final CountDownLatch SEEN = new CountDownLatch(FIRINGS);

    private ScheduledJobs() {}

    public static void main(String[] args) throws Exception {
        Example.onEmbeddedPostgres(ScheduledJobs::run);
    }

    static Map<Long, List<String>> run(DataSource dataSource) throws Exception {
        Scheduler a = scheduler(dataSource, "instance-a");
        Scheduler b = scheduler(dataSource, "instance-b");
        try {
            a.start();
            b.start();
            if (!SEEN.await(FIRINGS + 15L, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the job did not run " + FIRINGS + " times within the wait");
            }
        } finally {
            a.shutdown(true);
            b.shutdown(true);
        }
        RUNS.forEach((at, who) -> Example.say("firing " + java.time.Instant.ofEpochMilli(at) + " ran on " + who));
        return Map.copyOf(RUNS);
    }

    private static Scheduler scheduler(DataSource dataSource, String instance) throws SchedulerException {
        Properties props = new Properties();
        props.setProperty("org.quartz.scheduler.instanceName", "example-" + instance);
        props.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        props.setProperty("org.quartz.threadPool.threadCount", "2");
        props.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        Scheduler scheduler = new StdSchedulerFactory(props).getScheduler();
        scheduler.getContext().put("instance", instance);
        JobLockGuard.builder(dataSource).instanceId(instance).build().registerWith(scheduler);
        scheduler.scheduleJob(
                JobBuilder.newJob(ReportJob.class)
                        .withIdentity("report", "examples")
                        .build(),
                TriggerBuilder.newTrigger()
                        .withIdentity("report-every-second", "examples")
                        .withSchedule(CronScheduleBuilder.cronSchedule("* * * * * ?"))
                        .build());
        return scheduler;
    }

    /** The job both instances schedule. */
    public static final class ReportJob implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            try {
                String instance = (String) context.getScheduler().getContext().get("instance");
                long at = context.getScheduledFireTime().toInstant().toEpochMilli();
                RUNS.computeIfAbsent(at, k -> new CopyOnWriteArrayList<>()).add(instance);
                SEEN.countDown();
            } catch (SchedulerException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
