package dev.baton.examples.demo;

import com.codahale.metrics.MetricRegistry;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.baton.election.LeaderElector;
import dev.baton.election.LeadershipEvent;
import dev.baton.quartz.JobLockGuard;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.quartz.CronScheduleBuilder;
import org.quartz.JobBuilder;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;

/**
 * One node of the demo cluster, in its own JVM: a {@link LeaderElector} whose task writes fenced rows, and a Quartz
 * scheduler whose every-second jobs are guarded by {@link JobLockGuard} with its ledger. It reports what happens as
 * lines on stdout (see {@link NodeProtocol}) and obeys commands on stdin ({@code YIELD}, {@code STALE}); it closes
 * everything in order and exits when stdin closes. Arguments: JDBC URL, node id, election group, job names
 * (comma-separated). User and password, if any, come from {@code BATON_DEMO_USER} / {@code BATON_DEMO_PASSWORD}.
 */
public final class DemoNode {
    private static final Duration WRITE_EVERY = Duration.ofMillis(200);

    private DemoNode() {}

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String node = args[1];
        String group = args[2];
        List<String> jobs = List.of(args[3].split(","));
        Properties props = credentials();
        AtomicLong lastTerm = new AtomicLong();

        try (FencedWriter writer = new FencedWriter(url, props, group, node)) {
            LeaderElector elector = LeaderElector.builder(url, props, group)
                    .instanceId(node)
                    .whileLeader(ctx -> {
                        lastTerm.set(ctx.term());
                        // The leader's duty: write its term into the fenced row, as long as it leads.
                        while (ctx.isLeader()) {
                            String outcome = writer.write(ctx.term());
                            NodeProtocol.emit("WRITE", ctx.term(), System.nanoTime(), outcome, false);
                            Thread.sleep(WRITE_EVERY.toMillis()); // pace of the leader's work, not synchronisation
                        }
                    })
                    .addListener(DemoNode::report)
                    .build();
            // A pool, as an application would have: the ledger borrows a connection per firing.
            HikariConfig pool = new HikariConfig();
            pool.setJdbcUrl(url);
            pool.setDataSourceProperties(props);
            pool.setPoolName("demo-" + node);
            pool.setMaximumPoolSize(jobs.size() + 3);
            pool.setMinimumIdle(jobs.size() + 1);
            HikariDataSource ds = new HikariDataSource(pool);
            Scheduler scheduler = scheduler(ds, node, jobs);
            elector.start();
            scheduler.start();
            NodeProtocol.emit("READY", System.nanoTime());
            try {
                obey(elector, writer, lastTerm);
            } finally {
                // Stop the jobs first (they finish their current firing), then the election, then the writer.
                scheduler.shutdown(true);
                elector.close();
                ds.close();
            }
        }
        NodeProtocol.emit("BYE", System.nanoTime());
    }

    private static void obey(LeaderElector elector, FencedWriter writer, AtomicLong lastTerm) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("YIELD")) {
                elector.yieldLeadership();
            } else if (line.equals("STALE")) {
                // What a leader that missed its own revocation (a long GC pause, say) would do: write with its old
                // term. The database refuses it once a newer leader has written.
                long term = lastTerm.get();
                NodeProtocol.emit("WRITE", term, System.nanoTime(), writer.write(term), true);
            }
        }
    }

    /** Elector events, stamped on the monotonic clock at the instant the elector changed state. */
    private static void report(LeadershipEvent e) {
        long age = Duration.between(e.at(), Instant.now()).toNanos();
        long at = System.nanoTime() - Math.max(0, age);
        if (e.type() == LeadershipEvent.Type.ELECTED) {
            NodeProtocol.emit("ELECTED", e.term(), at);
        } else {
            NodeProtocol.emit("REVOKED", e.term(), at, e.reason());
        }
    }

    private static Scheduler scheduler(HikariDataSource ds, String node, List<String> jobs) throws SchedulerException {
        Properties q = new Properties();
        q.setProperty("org.quartz.scheduler.instanceName", "demo-" + node);
        q.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        q.setProperty("org.quartz.threadPool.threadCount", Integer.toString(jobs.size() + 1));
        q.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        Scheduler scheduler = new StdSchedulerFactory(q).getScheduler();

        MetricRegistry metrics = new MetricRegistry();
        JobLockGuard.builder(ds)
                .instanceId(node + "-quartz")
                .metrics(metrics)
                .build()
                .registerWith(scheduler);
        scheduler.getListenerManager().addJobListener(new VetoRecorder(metrics));
        for (String job : jobs) {
            scheduler.scheduleJob(
                    JobBuilder.newJob(DemoJob.class).withIdentity(job, "demo").build(),
                    TriggerBuilder.newTrigger()
                            .withIdentity(job + "-every-second", "demo")
                            .withSchedule(CronScheduleBuilder.cronSchedule("* * * * * ?"))
                            .build());
        }
        return scheduler;
    }

    private static Properties credentials() {
        Properties props = new Properties();
        String user = System.getenv("BATON_DEMO_USER");
        if (user != null && !user.isEmpty()) {
            props.setProperty("user", user);
            String password = System.getenv("BATON_DEMO_PASSWORD");
            props.setProperty("password", password == null ? "" : password);
        }
        return props;
    }
}
