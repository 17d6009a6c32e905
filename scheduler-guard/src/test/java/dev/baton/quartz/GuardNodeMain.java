package dev.baton.quartz;

import dev.baton.testkit.PostgresServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Properties;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.Scheduler;
import org.quartz.impl.StdSchedulerFactory;

/**
 * A child JVM for {@code JobLockGuardChildJvmIT}: one scheduler with a guard running two every-second jobs that
 * record their start and end. Args: jdbcUrl, node name, runs table, ledger table. Prints READY, runs until stdin
 * closes or the process is killed.
 */
public final class GuardNodeMain {
    private GuardNodeMain() {}

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String node = args[1];
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", node);
        p.setProperty("org.quartz.threadPool.threadCount", "3");
        p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        Scheduler scheduler = new StdSchedulerFactory(p).getScheduler();
        JobLockGuard.builder(PostgresServer.external(url).dataSource())
                .instanceId(node)
                .ledgerTable(args[3])
                .build()
                .registerWith(scheduler);
        for (String name : new String[] {"a", "b"}) {
            JobDetail job = Schedulers.job(SlowJob.class, "kill", name, args[2]);
            job.getJobDataMap().put("url", url);
            scheduler.scheduleJob(job, Schedulers.everySecond(job, Instant.now(), null));
        }
        scheduler.start();
        System.out.println("READY " + node);
        System.out.flush();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            while (in.readLine() != null) {
                // wait for the parent to close stdin
            }
        }
        scheduler.shutdown(true);
    }

    /** Records its start, works for 600 ms, records its end. */
    @DisallowConcurrentExecution
    public static final class SlowJob implements Job {
        @Override
        public void execute(JobExecutionContext context) throws JobExecutionException {
            String url = context.getMergedJobDataMap().getString("url");
            String table = context.getMergedJobDataMap().getString("table");
            OffsetDateTime t =
                    OffsetDateTime.ofInstant(context.getScheduledFireTime().toInstant(), ZoneOffset.UTC);
            String job = context.getJobDetail().getKey().getName();
            try (Connection c = DriverManager.getConnection(url)) {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO " + table + " (job, scheduled_fire_time, instance) VALUES (?, ?, ?)")) {
                    ps.setString(1, job);
                    ps.setObject(2, t);
                    ps.setString(3, context.getScheduler().getSchedulerName());
                    ps.executeUpdate();
                }
                Thread.sleep(600); // the job's work (not synchronisation): the window in which the parent kills
                try (PreparedStatement ps = c.prepareStatement("UPDATE " + table
                        + " SET finished_at = clock_timestamp() WHERE job = ? AND scheduled_fire_time = ?"
                        + " AND instance = ?")) {
                    ps.setString(1, job);
                    ps.setObject(2, t);
                    ps.setString(3, context.getScheduler().getSchedulerName());
                    ps.executeUpdate();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JobExecutionException(e);
            } catch (Exception e) {
                throw new JobExecutionException(e);
            }
        }
    }
}
