package dev.baton.election;

import dev.baton.testkit.Measurements;
import java.util.List;

/** Measured durations, printed by the tests tagged {@value Measurements#TAG}. */
final class Stats {
    private Stats() {}

    static String summary(String what, List<Double> millis) {
        return Measurements.printMillis(what, millis);
    }

    static double millisBetween(java.time.Instant a, java.time.Instant b) {
        return java.time.Duration.between(a, b).toNanos() / 1e6;
    }
}
