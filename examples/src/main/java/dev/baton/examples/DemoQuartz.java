package dev.baton.examples;

import dev.baton.quartz.JobLockGuard;
import dev.baton.testkit.PostgresServer;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.quartz.CronScheduleBuilder;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;

/**
 * Two Quartz schedulers (two instances of a service, each with its own RAMJobStore) fire the same every-second cron
 * job; the guard lets each scheduled firing run on exactly one of them.
 */
final class DemoQuartz {
    private static final int FIRINGS = 4;
    /** scheduled fire time → instances that ran it */
    static final Map<Long, List<String>> RUNS = new ConcurrentHashMap<>();

    static final CountDownLatch DONE = new CountDownLatch(FIRINGS);

    private DemoQuartz() {}

    static void run(PostgresServer server) throws Exception {
        Scheduler a = scheduler(server, "node-a");
        Scheduler b = scheduler(server, "node-b");
        try {
            a.start();
            b.start();
            if (!DONE.await(FIRINGS + 10L, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the demo job did not run " + FIRINGS + " times");
            }
        } finally {
            a.shutdown(true);
            b.shutdown(true);
        }
        new java.util.TreeMap<>(RUNS)
                .forEach((at, who) -> say("firing " + java.time.Instant.ofEpochMilli(at) + " ran on " + who));
        say(RUNS.size() + " firings seen by both schedulers, each ran once: "
                + RUNS.values().stream().allMatch(who -> who.size() == 1));
    }

    private static Scheduler scheduler(PostgresServer server, String instance) throws SchedulerException {
        Properties props = new Properties();
        props.setProperty("org.quartz.scheduler.instanceName", "demo-" + instance);
        props.setProperty("org.quartz.threadPool.threadCount", "2");
        props.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        Scheduler scheduler = new StdSchedulerFactory(props).getScheduler();
        scheduler.getContext().put("instance", instance);
        JobLockGuard.builder(server.dataSource())
                .instanceId("demo-quartz-" + instance)
                .build()
                .registerWith(scheduler);
        scheduler.scheduleJob(
                JobBuilder.newJob(ReportJob.class)
                        .withIdentity("report", "demo")
                        .build(),
                TriggerBuilder.newTrigger()
                        .withIdentity("every-second", "demo")
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
                if (RUNS.size() < FIRINGS || RUNS.containsKey(at)) {
                    RUNS.computeIfAbsent(at, k -> new CopyOnWriteArrayList<>()).add(instance);
                    DONE.countDown();
                }
            } catch (SchedulerException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static void say(String line) {
        Demo.say("quartz", line);
    }
}
