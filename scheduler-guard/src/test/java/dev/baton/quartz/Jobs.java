package dev.baton.quartz;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;

/** Jobs used by the tests. Each writes a row (job, scheduled fire time, scheduler) to the table in its job data. */
final class Jobs {
    /** Latches a {@link BlockingJob} waits on, by job name. */
    static final Map<String, CountDownLatch> GATES = new ConcurrentHashMap<>();
    /** Signalled when a {@link BlockingJob} has started, by job name. */
    static final Map<String, CountDownLatch> STARTED = new ConcurrentHashMap<>();
    /** Runs in progress, by job name, and the most seen at once. */
    static final Map<String, AtomicInteger> RUNNING = new ConcurrentHashMap<>();

    static final Map<String, AtomicInteger> MAX_RUNNING = new ConcurrentHashMap<>();

    private Jobs() {}

    static void record(JobExecutionContext context) throws JobExecutionException {
        String table = context.getMergedJobDataMap().getString("table");
        try (Connection c = Db.pool().getConnection();
                PreparedStatement ps = c.prepareStatement("INSERT INTO " + table
                        + " (job, scheduled_fire_time, instance, finished_at) VALUES (?, ?, ?, clock_timestamp())")) {
            ps.setString(1, context.getJobDetail().getKey().getName());
            ps.setObject(
                    2, OffsetDateTime.ofInstant(context.getScheduledFireTime().toInstant(), ZoneOffset.UTC));
            ps.setString(3, context.getScheduler().getSchedulerName());
            ps.executeUpdate();
        } catch (Exception e) {
            throw new JobExecutionException("could not record the run", e);
        }
    }

    /** Records its run. */
    @DisallowConcurrentExecution
    public static final class RecordJob implements Job {
        @Override
        public void execute(JobExecutionContext context) throws JobExecutionException {
            record(context);
        }
    }

    /** Records its run; Quartz may run it concurrently (no {@code @DisallowConcurrentExecution}). */
    public static final class PlainRecordJob implements Job {
        @Override
        public void execute(JobExecutionContext context) throws JobExecutionException {
            record(context);
        }
    }

    /** Records its run, then throws. */
    public static final class ThrowingJob implements Job {
        @Override
        public void execute(JobExecutionContext context) throws JobExecutionException {
            record(context);
            throw new IllegalStateException("this job always fails");
        }
    }

    /** Records its run, signals STARTED, then waits for its GATE (at most 60 s). */
    public static final class BlockingJob implements Job {
        @Override
        public void execute(JobExecutionContext context) throws JobExecutionException {
            String name = context.getJobDetail().getKey().getName();
            int now = RUNNING.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
            MAX_RUNNING.computeIfAbsent(name, k -> new AtomicInteger()).accumulateAndGet(now, Math::max);
            try {
                record(context);
                CountDownLatch started = STARTED.get(name);
                if (started != null) {
                    started.countDown();
                }
                CountDownLatch gate = GATES.get(name);
                if (gate != null && !gate.await(60, TimeUnit.SECONDS)) {
                    throw new JobExecutionException("gate of " + name + " never opened");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JobExecutionException(e);
            } finally {
                RUNNING.get(name).decrementAndGet();
            }
        }
    }
}
