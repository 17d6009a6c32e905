package dev.baton.examples.demo;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What a run shows, judged from its {@link Timeline}: the terms, the takeover after each fault, each job's firings
 * (scheduled in the measured window / run / duplicated / lost), fenced writes, and overlaps of leadership. A firing run
 * twice, or two terms that overlap, fail the run; the one overlap PostgreSQL allows (the server ended the old
 * leader's session and granted the lock before the old leader read its socket) is reported as fenced, not failed.
 * Immutable.
 */
final class Summary {
    /** Firings of one job. */
    record Firings(String job, int scheduled, int run, int duplicated, int lost) {}

    /** Two terms held at once for {@code nanos}; {@code fenced} when the older one was ended by the server. */
    record Overlap(Timeline.Term older, Timeline.Term newer, long nanos, boolean fenced) {}

    private final Timeline.Snapshot s;
    private final Instant originWall;
    private final List<String> clockProblems;
    private final DemoOptions options;
    private final List<Firings> firings;
    private final List<Overlap> overlaps;

    Summary(Timeline.Snapshot s, Instant originWall, List<String> clockProblems, DemoOptions options) {
        this.s = s;
        this.originWall = originWall;
        this.clockProblems = List.copyOf(clockProblems);
        this.options = options;
        this.firings = jobs(s).stream().map(this::firings).collect(Collectors.toList());
        this.overlaps = overlaps(s.terms());
    }

    static List<String> jobs(Timeline.Snapshot s) {
        Set<String> jobs = new TreeSet<>();
        s.runs().forEach(r -> jobs.add(r.job()));
        s.vetoes().forEach(v -> jobs.add(v.job()));
        return List.copyOf(jobs);
    }

    List<Timeline.Term> terms() {
        return s.terms().stream()
                .sorted(Comparator.comparingLong(Timeline.Term::term))
                .collect(Collectors.toList());
    }

    List<Firings> firings() {
        return firings;
    }

    List<Overlap> overlaps() {
        return overlaps;
    }

    long writes(boolean accepted) {
        return s.writes().stream().filter(w -> w.accepted() == accepted).count();
    }

    int duplicates() {
        return firings.stream().mapToInt(Firings::duplicated).sum();
    }

    long violations() {
        return overlaps.stream().filter(o -> !o.fenced()).count();
    }

    /** No firing twice, no unfenced overlap, every fault answered by a takeover, one clock for all processes. */
    boolean ok() {
        boolean takeovers = s.faults().stream()
                .filter(f -> f.termBefore() != Long.MAX_VALUE)
                .allMatch(f -> f.takeoverNanos() >= 0);
        return duplicates() == 0 && violations() == 0 && takeovers && clockProblems.isEmpty();
    }

    /** The wall-clock instant of a nanoTime stamp. */
    Instant wall(long nanos) {
        return originWall.plusNanos(nanos - s.origin());
    }

    /** Seconds since the demo began. */
    double seconds(long nanos) {
        return (nanos - s.origin()) / 1e9;
    }

    /** Scheduled seconds inside the measured window, away from its edges (nodes start and stop there). */
    Set<Long> scheduledSeconds() {
        long from = wall(s.windowStart()).toEpochMilli() / 1000 + 1;
        long to = wall(s.end()).toEpochMilli() / 1000 - 1;
        Set<Long> seconds = new TreeSet<>();
        for (long sec = from; sec <= to; sec++) {
            seconds.add(sec * 1000);
        }
        return seconds;
    }

    private Firings firings(String job) {
        Map<Long, Long> runs = s.runs().stream()
                .filter(r -> r.job().equals(job))
                .collect(Collectors.groupingBy(Timeline.Run::fireEpochMs, Collectors.counting()));
        Set<Long> scheduled = scheduledSeconds();
        int run = (int) scheduled.stream().filter(runs::containsKey).count();
        int duplicated = (int) runs.values().stream().filter(n -> n > 1).count();
        return new Firings(job, scheduled.size(), run, duplicated, scheduled.size() - run);
    }

    /** Why nobody ran a firing, from the vetoes the nodes reported for it. */
    private String lostReason(String job, long sec) {
        List<String> reasons = s.vetoes().stream()
                .filter(v -> v.job().equals(job) && v.fireEpochMs() == sec)
                .map(Timeline.Veto::reason)
                .distinct()
                .collect(Collectors.toList());
        if (reasons.isEmpty()) {
            return "no node fired it";
        }
        if (reasons.equals(List.of("LOCKED"))) {
            return "every node was refused the job's lock: a slow run of an earlier firing still held it, or its holder was"
                    + " killed";
        }
        return "vetoed: " + String.join(", ", reasons);
    }

    static List<Overlap> overlaps(List<Timeline.Term> terms) {
        List<Overlap> found = new ArrayList<>();
        for (Timeline.Term a : terms) {
            for (Timeline.Term b : terms) {
                if (a.term() < b.term() && b.start() < a.end() && a.start() < b.end()) {
                    long nanos = Math.min(a.end(), b.end()) - Math.max(a.start(), b.start());
                    found.add(new Overlap(a, b, nanos, a.endReason().equals("CONNECTION_LOST")));
                }
            }
        }
        return found;
    }

    String text() {
        StringBuilder t = new StringBuilder();
        t.append(String.format(
                Locale.ROOT,
                "== Summary: %d nodes, %d s%s ==%n",
                options.nodes(),
                options.duration().toSeconds(),
                options.faults() ? " with faults" : ", no faults"));
        t.append("Leadership terms (seconds since the demo began):\n");
        t.append(String.format(Locale.ROOT, "  %6s  %-8s %8s %8s  %s%n", "term", "node", "from", "to", "ended by"));
        for (Timeline.Term term : terms()) {
            t.append(String.format(
                    Locale.ROOT,
                    "  %6d  %-8s %8.3f %8s  %s%n",
                    term.term(),
                    term.node(),
                    seconds(term.start()),
                    term.open() ? "-" : String.format(Locale.ROOT, "%.3f", seconds(term.end())),
                    term.open() ? "(still open)" : term.endReason()));
        }
        if (!s.faults().isEmpty()) {
            t.append("Faults and takeovers:\n");
            for (Timeline.Fault f : s.faults()) {
                t.append(String.format(
                        Locale.ROOT,
                        "  %7.3f s  %-22s %-7s %s%n",
                        seconds(f.at()),
                        f.kind(),
                        f.node(),
                        f.termBefore() == Long.MAX_VALUE
                                ? ""
                                : f.takeoverNanos() < 0
                                        ? "NO TAKEOVER"
                                        : String.format(
                                                Locale.ROOT,
                                                "term %d ended; next leader elected %.1f ms later",
                                                f.termBefore(),
                                                f.takeoverNanos() / 1e6)));
            }
        }
        t.append("Firings per job (every second; window of ")
                .append(scheduledSeconds().size())
                .append(" s):\n");
        t.append(String.format(
                Locale.ROOT, "  %-10s %9s %5s %10s %5s%n", "job", "scheduled", "run", "duplicated", "lost"));
        for (Firings f : firings) {
            t.append(String.format(
                    Locale.ROOT,
                    "  %-10s %9d %5d %10d %5d%n",
                    f.job(),
                    f.scheduled(),
                    f.run(),
                    f.duplicated(),
                    f.lost()));
        }
        for (Long sec : scheduledSeconds()) {
            for (String job : jobs(s)) {
                if (s.runs().stream().noneMatch(r -> r.job().equals(job) && r.fireEpochMs() == sec)) {
                    t.append("  lost: ").append(job).append(" of ");
                    t.append(Console.CLOCK.format(Instant.ofEpochMilli(sec))).append(" (");
                    t.append(lostReason(job, sec)).append(")\n");
                }
            }
        }
        t.append(String.format(
                Locale.ROOT,
                "Fenced writes: %d accepted, %d refused%s%n",
                writes(true),
                writes(false),
                s.writes().stream().anyMatch(w -> w.stale() && !w.accepted())
                        ? " (including the stale leader's write after pg_terminate_backend)"
                        : ""));
        Map<Boolean, List<Overlap>> byKind = new LinkedHashMap<>();
        overlaps.forEach(
                o -> byKind.computeIfAbsent(o.fenced(), k -> new ArrayList<>()).add(o));
        t.append("Leadership overlaps: ").append(violations()).append(" (must be 0)");
        for (Overlap o : byKind.getOrDefault(true, List.of())) {
            t.append(String.format(
                    Locale.ROOT,
                    "; term %d and %d overlapped %.2f ms after the server ended %s's"
                            + " session (fencing refuses the older term's writes)",
                    o.older().term(),
                    o.newer().term(),
                    o.nanos() / 1e6,
                    o.older().node()));
        }
        t.append('\n');
        clockProblems.forEach(p -> t.append("CLOCK: nanoTime differs between processes: ")
                .append(p)
                .append('\n'));
        t.append(
                ok()
                        ? "RESULT: OK - every firing ran at most once, leaderships never overlapped\n"
                        : "RESULT: FAILED - see above\n");
        return t.toString();
    }
}
