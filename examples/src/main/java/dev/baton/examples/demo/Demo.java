package dev.baton.examples.demo;

import dev.baton.testkit.PostgresServer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The demo cluster: N node processes (separate JVMs, {@link DemoNode}) elect a leader that writes fenced rows and run
 * every-second Quartz jobs guarded by {@code JobLockGuard}, while this process kills, terminates and restarts them on a
 * schedule. It prints each event as it happens, then a summary, writes a self-contained HTML timeline and prints its
 * path last. Exit status 1 if a firing ran twice or two leaderships overlapped (beyond the documented server-side
 * termination case, which fencing covers), 2 on bad arguments.
 *
 * <p>Options: {@code --nodes N} (2-9, default 3), {@code --duration SECONDS} of the fault phase (10-600, default 25),
 * {@code --no-faults}, {@code --jdbc-url jdbc:postgresql://...} with {@code --user} / {@code --password} for a real
 * server (the role needs {@code CREATE} for the demo's tables and may terminate its own sessions), {@code --report-dir
 * DIR} (default {@code examples/target/baton-demo}: the report, {@code events.log} with every line the nodes reported,
 * and one stderr log per node). With no {@code --jdbc-url} it starts a throwaway PostgreSQL ({@code testkit}) and
 * deletes it on exit. From Maven: {@code mvn -q -DskipTests -Pdemo -pl examples -am verify -Ddemo.args="--nodes 4"}.
 *
 * <p>Overlaps are judged on one clock: each node stamps what it reports with {@code System.nanoTime()}, which on one
 * machine reads the same monotonic clock in every JVM (HotSpot on Linux: {@code clock_gettime(CLOCK_MONOTONIC)}); each
 * node's first stamp is checked to fall between this process's readings before its start and at its receipt.
 */
public final class Demo {
    private Demo() {}

    public static void main(String[] args) throws Exception {
        DemoOptions options;
        try {
            options = DemoOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Result result = run(options, System.out);
        System.exit(result.summary().ok() ? 0 : 1);
    }

    /** What one run produced. */
    record Result(Timeline.Snapshot timeline, Summary summary, Path report) {}

    /** Runs the demo; blocks for about {@code options.duration()} plus start-up and shut-down. */
    public static Result run(DemoOptions options, PrintStream out) throws Exception {
        long origin = System.nanoTime();
        Instant originWall = Instant.now();
        Console console = new Console(out, origin);
        try (PostgresServer server =
                options.jdbcUrl() == null ? PostgresServer.builder().start() : null) {
            DemoOptions o = server == null ? options : options.withJdbcUrl(server.jdbcUrl());
            console.say(
                    server == null
                            ? "using PostgreSQL at " + o.jdbcUrl()
                            : "embedded PostgreSQL started at " + o.jdbcUrl() + " (deleted on exit)");
            Properties props = new Properties();
            if (o.user() != null) {
                props.setProperty("user", o.user());
                props.setProperty("password", o.password() == null ? "" : o.password());
            }
            Timeline timeline = new Timeline(origin);
            try (Connection admin = DriverManager.getConnection(o.jdbcUrl(), props)) {
                FencedWriter.prepare(admin, o.group());
                Cluster cluster = new Cluster(o, timeline, console, admin);
                ScheduledExecutorService printer = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "demo-printer");
                    t.setDaemon(true);
                    return t;
                });
                try {
                    play(o, cluster, timeline, console, printer);
                } finally {
                    // Nodes first (they release their locks and leadership), then the printer, then the server.
                    cluster.stopAll();
                    printer.shutdownNow();
                }
                console.firings(timeline.snapshot(), 0, true);
                cluster.writeRawLog();
                Timeline.Snapshot snapshot = timeline.snapshot();
                Summary summary = new Summary(snapshot, originWall, cluster.clockProblems(), o);
                out.println();
                out.print(summary.text());
                Path report = HtmlReport.write(
                        snapshot, summary, originWall, o.reportDir().resolve("report.html"));
                out.println(report.toAbsolutePath());
                return new Result(snapshot, summary, report.toAbsolutePath());
            }
        }
    }

    private static void play(
            DemoOptions o, Cluster cluster, Timeline timeline, Console console, ScheduledExecutorService printer)
            throws Exception {
        console.say("starting " + o.nodes() + " node JVMs; each runs a LeaderElector (group " + o.group()
                + ") and Quartz jobs " + o.jobs() + " every second behind JobLockGuard");
        for (int i = 1; i <= o.nodes(); i++) {
            cluster.start("node-" + i);
        }
        for (NodeProcess n : cluster.nodes()) {
            if (!n.awaitReady(90, TimeUnit.SECONDS)) {
                throw new IllegalStateException(n.id + " did not start within 90 s; see "
                        + o.reportDir().resolve(n.id + ".log"));
            }
        }
        if (cluster.awaitLeader(30_000) == null) {
            throw new IllegalStateException("no leader within 30 s; see the node logs in " + o.reportDir());
        }
        if (!cluster.awaitWarm(o.jobs(), 30_000)) {
            throw new IllegalStateException("the jobs did not run within 30 s; see the node logs in " + o.reportDir());
        }
        // Cancelled by shutdownNow() when the run ends; a failed print shows on the console, not here.
        var unused = printer.scheduleWithFixedDelay(
                () -> console.firings(timeline.snapshot(), cluster.alive(), false), 500, 500, TimeUnit.MILLISECONDS);
        long start = System.nanoTime();
        long nanos = o.duration().toNanos();
        console.say(
                o.faults()
                        ? "all nodes up; faults follow for " + o.duration().toSeconds() + " s"
                        : "all nodes up; running " + o.duration().toSeconds() + " s without faults");
        new Faults(cluster, timeline, console).run(start, nanos, o.faults());
        timeline.window(start, System.nanoTime());
        console.say("time is up: stopping every node (each closes its scheduler and elector)");
    }
}
