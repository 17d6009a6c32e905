package dev.baton.bench;

import dev.baton.testkit.PostgresServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Runs every benchmark in one JVM against one throwaway PostgreSQL and writes {@code docs/benchmarks.md} with an SVG
 * chart per table under {@code docs/bench/}. Every figure in that file is measured by this run.
 *
 * <p>Run from the repository root: {@code bench/run [--quick] [--only NAME,...] [--out DIR]} (it builds the reactor
 * and starts this class). {@code --quick} takes few trials, to check the whole command end to end in minutes; its
 * figures are labelled as such.
 */
public final class AllBenchmarks {
    private AllBenchmarks() {}

    /** One benchmark: makes one or more tables. */
    @FunctionalInterface
    interface Part {
        List<Report.Table> run(Bench b) throws Exception;
    }

    record Named(String name, Part part) {}

    static List<Named> parts() {
        return List.of(
                new Named("lock-cost", b -> List.of(LockCostBench.run(b))),
                new Named("engine", b -> List.of(EngineJmhBench.run(b))),
                new Named("handoff", b -> List.of(HandOffBench.run(b))),
                new Named("scale", ScaleBench::run),
                new Named("takeover", b -> List.of(TakeoverBench.run(b))),
                new Named("quartz", b -> List.of(QuartzGuardBench.run(b))));
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        Path out = Path.of("docs");
        List<String> only = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--out" -> out = Path.of(args[++i]);
                case "--only" -> only.addAll(List.of(args[++i].split(",", -1)));
                default ->
                    throw new IllegalArgumentException("unknown argument '" + args[i]
                            + "': use --quick, --out DIR, --only " + String.join(",", names()));
            }
        }
        for (String o : only) {
            if (!names().contains(o)) {
                throw new IllegalArgumentException("unknown benchmark '" + o + "': one of " + names());
            }
        }
        String command = "bench/run"
                + String.join("", List.of(args).stream().map(a -> " " + a).toList());
        Instant start = Instant.now();
        long seed = Long.getLong("baton.bench.seed", System.nanoTime());
        Report report;
        try (PostgresServer server = PostgresServer.builder()
                .setting("max_connections", quick ? "120" : "300")
                .setting("max_locks_per_transaction", "256")
                .start()) {
            Bench b = new Bench(quick, server, new Random(seed));
            String pgVersion;
            try (var c = server.connect();
                    var st = c.createStatement();
                    var rs = st.executeQuery("SHOW server_version")) {
                rs.next();
                pgVersion = rs.getString(1);
            }
            List<Report.Table> tables = new ArrayList<>();
            for (Named n : parts()) {
                if (!only.isEmpty() && !only.contains(n.name)) {
                    continue;
                }
                Instant t0 = Instant.now();
                Bench.progress("%s ...", n.name);
                tables.addAll(n.part.run(b));
                Bench.progress(
                        "%s done in %d s",
                        n.name, Duration.between(t0, Instant.now()).toSeconds());
            }
            Duration took = Duration.between(start, Instant.now());
            report = header(quick, command, pgVersion, took, seed);
            tables.forEach(report::add);
            notes(report);
        }
        report.write(out);
        Bench.progress("wrote %s", out.resolve("benchmarks.md"));
    }

    /** Text without figures: how to run parts, and the measuring tests that print figures of their own. */
    static void notes(Report r) {
        r.note("## Running it");
        r.note("");
        r.note("`bench/run` runs everything (`--quick` for few trials; `--only " + String.join(",", names())
                + "` for some parts; `--out DIR` to write elsewhere than `docs/`). Each part's trial counts are in"
                + " its table's text. The older single benchmarks still run on their own after the build:"
                + " `java -cp \"bench/target/classes:$(cat bench/target/classpath.txt)\" dev.baton.bench.TryLockBench`"
                + " (and `EngineBench`).");
        r.note("");
        r.note("## Timing figures printed by tests");
        r.note("");
        r.note("Tests tagged `measure` print figures (lines starting `baton-measure:`) and assert no timing; the"
                + " default build leaves them out: `mvn -B verify -pl scheduler-guard -am -Dgroups=measure | grep"
                + " baton-measure:` (one class: add `-Dit.test=LeaderElectorKillIT"
                + " -Dfailsafe.failIfNoSpecifiedTests=false`). `PgLockRaceIT`: release by another client → waiter"
                + " holds it; `LeaderElectorIT`: takeover after `close()`, raw hand-over, `pg_terminate_backend`,"
                + " frozen backend; `LeaderElectorKillIT`: takeover after SIGKILL (`-Dbaton.killTrials=N`);"
                + " `JobLockGuardOverheadIT` and `JobLockGuardClusterIT`: the guard's overhead per firing.");
    }

    static List<String> names() {
        return parts().stream().map(Named::name).toList();
    }

    static Report header(boolean quick, String command, String pgVersion, Duration took, long seed) {
        Report r = new Report("Benchmarks");
        if (quick) {
            r.header("> **Quick mode** (`--quick`: few trials, figures only prove that the command works end to end;"
                    + " do not compare them). Re-run without `--quick` on a quiet machine for figures.");
            r.header("");
        }
        r.header("Generated by `" + command + "` from the repository root (builds the reactor, then runs"
                + " `dev.baton.bench.AllBenchmarks`); every figure below was measured by that one run, against one"
                + " throwaway PostgreSQL started by the testkit on loopback. Took "
                + took.toSeconds() + " s. Random seed " + seed + " (`-Dbaton.bench.seed=`).");
        r.header("");
        r.header("| | |");
        r.header("|---|---|");
        r.header("| machine | " + Runtime.getRuntime().availableProcessors() + " CPUs (nproc), " + Machine.cpuModel()
                + ", " + Machine.memory() + " RAM, Linux " + Machine.kernel() + " |");
        r.header("| Java | " + Machine.java() + " |");
        r.header("| PostgreSQL | " + pgVersion + " |");
        r.header("| Baton | commit " + Machine.batonCommit() + " |");
        r.header("| pgjdbc | " + Machine.versionOf(org.postgresql.Driver.class) + ", HikariCP "
                + Machine.versionOf(com.zaxxer.hikari.HikariDataSource.class) + " |");
        r.header("| peers | ShedLock " + Machine.versionOf(net.javacrumbs.shedlock.core.LockProvider.class)
                + ", Spring Integration "
                + Machine.versionOf(org.springframework.integration.jdbc.lock.JdbcLockRegistry.class)
                + ", Curator " + Machine.versionOf(org.apache.curator.framework.recipes.leader.LeaderLatch.class)
                + " with ZooKeeper " + Machine.versionOf(org.apache.zookeeper.ZooKeeper.class) + " (curator-test"
                + " in-process server), Quartz " + Machine.versionOf(org.quartz.Scheduler.class) + " |");
        r.header("| JMH | " + Machine.versionOf(org.openjdk.jmh.runner.Runner.class) + " |");
        r.header("");
        r.header(("Figures are medians and nearest-rank p99 over the samples of this run; contenders are interleaved"
                + " in one run so that machine noise hits them alike. Compare ratios within a table, not"
                + " absolute values across runs or machines."));
        return r;
    }
}
