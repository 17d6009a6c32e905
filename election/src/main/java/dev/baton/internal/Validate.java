package dev.baton.internal;

import java.time.Duration;

/** Argument checks whose messages name the problem and the fix. */
public final class Validate {
    private Validate() {}

    /** A non-null, non-negative duration. */
    public static Duration nonNegative(Duration d, String what) {
        if (d == null) {
            throw new IllegalArgumentException(what + " must not be null; use Duration.ZERO for no wait");
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative, got " + d);
        }
        return d;
    }

    /** A non-null, strictly positive duration. */
    public static Duration positive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be a positive duration, got " + d);
        }
        return d;
    }

    /** Text shown in {@code pg_stat_activity}: non-empty, printable, at most 63 bytes (PostgreSQL's NAMEDATALEN). */
    public static String applicationName(String s, String what) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException(what + " must not be null or blank");
        }
        if (s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 63) {
            throw new IllegalArgumentException(
                    what + " '" + s + "' is longer than 63 bytes; PostgreSQL would truncate it in pg_stat_activity");
        }
        if (!s.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException(what + " '" + s + "' must be printable ASCII");
        }
        return s;
    }
}
