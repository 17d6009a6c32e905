package dev.baton.bench;

import java.util.Arrays;

/** Order statistics of one series of samples (nearest-rank percentiles, as testkit Measurements uses). */
final class Stats {
    private final double[] sorted;

    private Stats(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no samples: a benchmark must take at least one");
        }
        this.sorted = values.clone();
        Arrays.sort(this.sorted);
    }

    static Stats of(double[] values) {
        return new Stats(values);
    }

    static Stats ofNanosAsMicros(long[] nanos, int count) {
        double[] us = new double[count];
        for (int i = 0; i < count; i++) {
            us[i] = nanos[i] / 1e3;
        }
        return new Stats(us);
    }

    /** The nearest-rank percentile: the smallest sample with at least {@code p} percent of samples at or below it. */
    double percentile(double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    double median() {
        return percentile(50);
    }

    double p99() {
        return percentile(99);
    }

    double max() {
        return sorted[sorted.length - 1];
    }

    int count() {
        return sorted.length;
    }
}
