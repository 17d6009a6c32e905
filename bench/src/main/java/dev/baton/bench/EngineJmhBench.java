package dev.baton.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Runs {@link EngineJmh} with JMH (the standard JVM micro-benchmark harness), 1 and 2 threads, one forked JVM. */
final class EngineJmhBench {
    private EngineJmhBench() {}

    private static final Map<String, String> NAMES = Map.of(
            "exclusiveFirstAcquireLastRelease", "exclusive first acquire + last release",
            "stackedAcquireRelease", "stacked (re-entrant) acquire + release",
            "sharedFirstAcquireLastRelease", "shared first acquire + last release",
            "leaseTryAcquireRelease", "thread-free lease tryAcquire + release");

    static Report.Table run(Bench b) throws Exception {
        Report.Table t = new Report.Table(
                "engine",
                "The lock engine alone (JMH, no network)",
                "JMH "
                        + (b.quick()
                                ? "quick: 1 fork, 1 × 0.2 s warm-up, 2 × 0.2 s measurement"
                                : "1 fork, 3 × 1 s warm-up, 5 × 1 s measurement")
                        + ", average time per operation per thread over `LockClient.inMemory()` (the same engine over"
                        + " a backend that always grants); ops/s is the total of all threads. Goal: under 1 µs per"
                        + " first acquire + last release.",
                List.of("operation", "threads", "ns/op", "± (99.9 %)", "ops/s (all threads)"));
        t.chart("ns per operation", false);
        for (int threads : new int[] {1, 2}) {
            ChainedOptionsBuilder o = new OptionsBuilder()
                    .include(EngineJmh.class.getName() + "\\.")
                    .forks(1)
                    .threads(threads)
                    .shouldFailOnError(true)
                    .jvmArgs("-Xmx512m");
            if (b.quick()) {
                o.warmupIterations(1).warmupTime(TimeValue.milliseconds(200));
                o.measurementIterations(2).measurementTime(TimeValue.milliseconds(200));
            } else {
                o.warmupIterations(3).warmupTime(TimeValue.seconds(1));
                o.measurementIterations(5).measurementTime(TimeValue.seconds(1));
            }
            Collection<RunResult> results = new Runner(o.build()).run();
            Map<String, RunResult> byName = new TreeMap<>();
            for (RunResult r : results) {
                String m = r.getParams().getBenchmark();
                byName.put(m.substring(m.lastIndexOf('.') + 1), r);
            }
            List<String> order = new ArrayList<>(List.of(
                    "exclusiveFirstAcquireLastRelease",
                    "stackedAcquireRelease",
                    "sharedFirstAcquireLastRelease",
                    "leaseTryAcquireRelease"));
            for (String m : order) {
                RunResult r = byName.get(m);
                if (r == null) {
                    throw new IllegalStateException("JMH returned no result for " + m);
                }
                double ns = r.getPrimaryResult().getScore();
                double err = r.getPrimaryResult().getScoreError();
                t.row(NAMES.get(m), threads, ns, err, threads * 1e9 / ns);
                t.bar(NAMES.get(m) + ", " + threads + " thread" + (threads > 1 ? "s" : ""), ns, Double.NaN);
            }
        }
        return t;
    }
}
