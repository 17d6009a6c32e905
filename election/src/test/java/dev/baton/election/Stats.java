package dev.baton.election;

import dev.baton.testkit.Measurements;
import java.util.List;

/** Measured durations, printed by the tests tagged {@value Measurements#TAG}. */
final class Stats {
    private Stats() {}

    static String summary(String what, List<Double> millis) {
        return Measurements.printMillis(what, millis);
    }

    /** Prints n, p50, p99 and max (nearest rank) of {@code millis}; the goals of hand-overs are stated in p99. */
    static String percentiles(String what, List<Double> millis) {
        List<Double> sorted = new java.util.ArrayList<>(millis);
        java.util.Collections.sort(sorted);
        return Measurements.print(
                "%s: n=%d p50=%.3f ms p99=%.3f ms max=%.3f ms",
                what, sorted.size(), rank(sorted, 0.5), rank(sorted, 0.99), sorted.get(sorted.size() - 1));
    }

    private static double rank(List<Double> sorted, double quantile) {
        return sorted.get(Math.max(0, (int) Math.ceil(quantile * sorted.size()) - 1));
    }

    static double millisBetween(java.time.Instant a, java.time.Instant b) {
        return java.time.Duration.between(a, b).toNanos() / 1e6;
    }
}
