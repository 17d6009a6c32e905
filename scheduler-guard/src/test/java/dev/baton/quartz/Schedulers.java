package dev.baton.quartz;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.quartz.CronExpression;
import org.quartz.CronScheduleBuilder;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;

/** Real Quartz schedulers with RAMJobStore, and the cron arithmetic the tests check against. */
final class Schedulers {
    static final String EVERY_SECOND = "* * * * * ?";

    private Schedulers() {}

    static Scheduler create(String name, int threads) throws SchedulerException {
        return create(name, threads, new Properties());
    }

    /** A scheduler with {@code extra} Quartz properties on top of the defaults above. */
    static Scheduler create(String name, int threads, Properties extra) throws SchedulerException {
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", name);
        p.setProperty("org.quartz.scheduler.instanceId", name);
        p.setProperty("org.quartz.threadPool.threadCount", String.valueOf(threads));
        p.setProperty("org.quartz.threadPool.threadNamePrefix", name + "_Worker");
        p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        p.putAll(extra);
        return new StdSchedulerFactory(p).getScheduler();
    }

    static JobDetail job(Class<? extends Job> type, String group, String name, String runsTable) {
        return JobBuilder.newJob(type)
                .withIdentity(name, group)
                .usingJobData("table", runsTable)
                .build();
    }

    /** A cron trigger for {@code job} that fires every second in [start, end]. */
    static Trigger everySecond(JobDetail job, Instant start, Instant end) {
        return TriggerBuilder.newTrigger()
                .withIdentity(job.getKey().getName(), job.getKey().getGroup())
                .forJob(job)
                .withSchedule(CronScheduleBuilder.cronSchedule(EVERY_SECOND).withMisfireHandlingInstructionDoNothing())
                .startAt(Date.from(start))
                .endAt(end == null ? null : Date.from(end))
                .build();
    }

    /** The fire times of {@link #EVERY_SECOND} in [start, end] (Quartz fires at endAt itself). */
    static Set<Instant> fireTimes(Instant start, Instant end) {
        try {
            CronExpression cron = new CronExpression(EVERY_SECOND);
            Set<Instant> out = new TreeSet<>();
            Date d = cron.getTimeAfter(Date.from(start.minusMillis(1)));
            while (d != null && !d.toInstant().isAfter(end)) {
                out.add(d.toInstant());
                d = cron.getTimeAfter(d);
            }
            return out;
        } catch (java.text.ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The next whole second at least {@code millis} from now. */
    static Instant wholeSecondAfter(long millis) {
        long t = System.currentTimeMillis() + millis;
        return Instant.ofEpochMilli((t / 1000 + 1) * 1000);
    }

    static void shutdownAll(List<Scheduler> schedulers) {
        List<Throwable> errors = new ArrayList<>();
        for (Scheduler s : schedulers) {
            try {
                s.shutdown(true);
            } catch (SchedulerException | RuntimeException e) {
                errors.add(e);
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException("shutdown failed: " + errors);
        }
    }
}
