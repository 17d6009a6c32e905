package dev.baton.testkit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Prints measured figures on standard output under one prefix, {@value #PREFIX}, so that a run's figures can be found
 * with {@code grep}. Figures belong to tests tagged {@value #TAG}, which assert orderings and counts but never
 * timings, and which the default build leaves out ({@code -Dgroups=measure} runs them). Thread-safe.
 */
public final class Measurements {
    /** The JUnit tag of tests that exist to print figures. */
    public static final String TAG = "measure";

    /** What every figure line starts with. */
    public static final String PREFIX = "baton-measure:";

    private Measurements() {}

    /**
     * Prints one figure line, {@code PREFIX + " " + String.format(Locale.ROOT, format, args)}, and returns it.
     *
     * @param format a {@link String#format} pattern
     * @param args its arguments
     * @return the line printed
     */
    public static String print(String format, Object... args) {
        String line = PREFIX + " " + String.format(Locale.ROOT, format, args);
        System.out.println(line);
        return line;
    }

    /**
     * Prints count, median, 90th percentile and maximum of durations in milliseconds:
     * {@code "<what>: n=.. median=.. ms p90=.. ms max=.. ms"}. Nearest-rank: the median of an even count is the lower
     * middle sample, p90 the smallest sample at or above 90 % of them (with 10 samples, the 9th).
     *
     * @param what what was measured, from which event to which
     * @param millis the samples, in milliseconds
     * @return the line printed
     */
    public static String printMillis(String what, Collection<? extends Number> millis) {
        List<Double> sorted = new ArrayList<>();
        millis.forEach(m -> sorted.add(m.doubleValue()));
        Collections.sort(sorted);
        if (sorted.isEmpty()) {
            return print("%s: no samples", what);
        }
        return print(
                "%s: n=%d median=%.3f ms p90=%.3f ms max=%.3f ms",
                what, sorted.size(), nearestRank(sorted, 0.5), nearestRank(sorted, 0.9), sorted.get(sorted.size() - 1));
    }

    private static double nearestRank(List<Double> sorted, double quantile) {
        int rank = (int) Math.ceil(quantile * sorted.size()); // 1-based
        return sorted.get(Math.max(0, rank - 1));
    }
}
