package dev.baton.election;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Median and max of measured durations, printed for the closing note. */
final class Stats {
    private Stats() {}

    static String summary(String what, List<Double> millis) {
        List<Double> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        double median = sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() / 2);
        double max = sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() - 1);
        String line = String.format(
                Locale.ROOT,
                "[baton-measure] %s: n=%d median=%.1f ms max=%.1f ms all=%s",
                what,
                sorted.size(),
                median,
                max,
                sorted);
        System.out.println(line);
        return line;
    }

    static double millisBetween(java.time.Instant a, java.time.Instant b) {
        return java.time.Duration.between(a, b).toNanos() / 1e6;
    }
}
