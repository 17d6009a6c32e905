package dev.baton.examples.demo;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The demo's live output: one line per fact as it happens, prefixed with the seconds since the demo began; job
 * firings are gathered into one line per scheduled second once every node has had its say about it. Thread-safe:
 * lines are printed under {@code this}.
 */
final class Console {
    static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
    /** A firing is printed once every live node reported it, or this long after its second at the latest. */
    private static final long SETTLE_MS = 4000;

    private final PrintStream out;
    private final long origin;

    @GuardedBy("this")
    private final Set<Long> printedSeconds = new HashSet<>();

    Console(PrintStream out, long origin) {
        this.out = out;
        this.origin = origin;
    }

    synchronized void say(String line) {
        out.printf(Locale.ROOT, "[%5.1f s] %s%n", (System.nanoTime() - origin) / 1e9, line);
        out.flush();
    }

    /**
     * Prints, in order and each second once, the firings every one of {@code alive} nodes has run or vetoed or that
     * are older than {@link #SETTLE_MS} (all of them if {@code all}), up to the first that is neither.
     */
    void firings(Timeline.Snapshot s, long alive, boolean all) {
        long settled = System.currentTimeMillis() - SETTLE_MS;
        int jobs = Summary.jobs(s).size();
        Map<Long, List<Timeline.Run>> bySecond =
                new TreeMap<>(s.runs().stream().collect(Collectors.groupingBy(Timeline.Run::fireEpochMs)));
        s.vetoes().forEach(v -> bySecond.computeIfAbsent(v.fireEpochMs(), k -> List.of()));
        for (Map.Entry<Long, List<Timeline.Run>> e : bySecond.entrySet()) {
            long second = e.getKey();
            boolean fresh;
            synchronized (this) {
                long reports = e.getValue().size()
                        + s.vetoes().stream()
                                .filter(v -> v.fireEpochMs() == second)
                                .count();
                boolean complete = reports >= alive * jobs && second < System.currentTimeMillis();
                if (!all && !complete && second > settled) {
                    return; // later seconds wait too, so the lines stay in order
                }
                fresh = printedSeconds.add(second);
            }
            if (fresh) {
                say(describe(s, second, e.getValue()));
            }
        }
    }

    private static String describe(Timeline.Snapshot s, long second, List<Timeline.Run> runs) {
        StringBuilder line = new StringBuilder("firings of ").append(CLOCK.format(Instant.ofEpochMilli(second)));
        String sep = ": ";
        for (String job : Summary.jobs(s)) {
            List<String> who = runs.stream()
                    .filter(r -> r.job().equals(job))
                    .map(Timeline.Run::node)
                    .collect(Collectors.toList());
            line.append(sep).append(job).append(" ran on ");
            line.append(who.isEmpty() ? "NOBODY" : String.join(" AND ", who));
            if (who.size() > 1) {
                line.append(" (DUPLICATE)");
            }
            sep = ", ";
        }
        Map<String, Long> vetoes = s.vetoes().stream()
                .filter(v -> v.fireEpochMs() == second)
                .collect(Collectors.groupingBy(
                        v -> v.reason().toLowerCase(Locale.ROOT), TreeMap::new, Collectors.counting()));
        if (!vetoes.isEmpty()) {
            line.append("; vetoed elsewhere: ")
                    .append(vetoes.entrySet().stream()
                            .map(v -> v.getValue() + " "
                                    + (v.getKey().equals("locked")
                                            ? "lock held"
                                            : v.getKey().equals("duplicate") ? "already run (ledger)" : v.getKey()))
                            .collect(Collectors.joining(", ")));
        }
        return line.toString();
    }
}
