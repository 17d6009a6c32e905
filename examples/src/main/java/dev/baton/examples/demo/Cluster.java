package dev.baton.examples.demo;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The running cluster as the orchestrator sees it: the node processes by id, what they report (into the
 * {@link Timeline} and onto the {@link Console}), and the faults it injects. Thread-safe: node reader threads call
 * {@link #accept}, the orchestrator thread does everything else.
 */
final class Cluster {
    private final DemoOptions options;
    private final Timeline timeline;
    private final Console console;
    private final Connection admin;
    private final Map<String, NodeProcess> nodes = new ConcurrentHashMap<>();
    private final Object signal = new Object();
    /** Every line the nodes reported, in arrival order, written next to the report. */
    private final java.util.Queue<String> raw = new java.util.concurrent.ConcurrentLinkedQueue<>();

    @GuardedBy("signal")
    private final List<String> clockProblems = new ArrayList<>();

    @GuardedBy("signal")
    private long acceptedTermSeen;

    Cluster(DemoOptions options, Timeline timeline, Console console, Connection admin) {
        this.options = options;
        this.timeline = timeline;
        this.console = console;
        this.admin = admin;
    }

    /** Starts a node JVM (or restarts one with the same id) and returns without waiting for it. */
    NodeProcess start(String id) throws IOException {
        Files.createDirectories(options.reportDir());
        Path log = options.reportDir().resolve(id + ".log");
        long before = System.nanoTime();
        NodeProcess node = NodeProcess.start(options, id, log, nodes.containsKey(id), line -> accept(line, before));
        nodes.put(id, node);
        timeline.node(id);
        return node;
    }

    List<NodeProcess> nodes() {
        return List.copyOf(nodes.values());
    }

    /** Handles one reported line; runs on that node's reader thread. */
    private void accept(NodeProcess.Line line, long spawnedAt) {
        raw.add(line.node() + " " + line.kind() + " " + String.join(" ", line.fields()));
        String[] f = line.fields().toArray(new String[0]);
        String node = line.node();
        switch (line.kind()) {
            case "READY" -> {
                long at = Long.parseLong(f[0]);
                // The node's nanoTime must fall between our own before the spawn and at receipt: same clock.
                if (at < spawnedAt || at > line.receivedAt()) {
                    synchronized (signal) {
                        clockProblems.add(
                                node + " READY at " + at + " outside [" + spawnedAt + ", " + line.receivedAt() + "]");
                    }
                }
                console.say(node + " is up: elector contending, Quartz scheduler started");
            }
            case "ELECTED" -> {
                long term = Long.parseLong(f[0]);
                long at = Long.parseLong(f[1]);
                timeline.elected(node, term, at);
                timeline.takeover(term, at);
                String after = timeline.snapshot().faults().stream()
                        .filter(x -> x.takeoverNanos() >= 0 && x.at() + x.takeoverNanos() == at)
                        .map(x -> String.format(
                                Locale.ROOT, " (%.1f ms after %s %s)", x.takeoverNanos() / 1e6, x.kind(), x.node()))
                        .findFirst()
                        .orElse("");
                console.say(node + " ELECTED, term " + term + after);
                synchronized (signal) {
                    signal.notifyAll();
                }
            }
            case "REVOKED" -> {
                timeline.ended(node, Long.parseLong(f[0]), Long.parseLong(f[1]), f[2]);
                console.say(node + " REVOKED, term " + f[0] + " (" + f[2] + ")");
            }
            case "WRITE" -> write(node, Long.parseLong(f[0]), Long.parseLong(f[1]), f[2], Boolean.parseBoolean(f[3]));
            case "RUN" -> timeline.runStarted(f[0], Long.parseLong(f[1]), node, Long.parseLong(f[2]));
            case "DONE" -> {
                timeline.runFinished(f[0], Long.parseLong(f[1]), node, Long.parseLong(f[2]));
                synchronized (signal) {
                    signal.notifyAll();
                }
            }
            case "VETO" -> timeline.vetoed(f[0], Long.parseLong(f[1]), node, f[2]);
            default -> {
                // BYE and anything else: nothing to record
            }
        }
    }

    private void write(String node, long term, long at, String outcome, boolean stale) {
        boolean accepted = outcome.equals("accepted");
        if (outcome.equals("failed")) {
            console.say(node + " term " + term + ": fenced write failed (no database session), not counted");
            return;
        }
        timeline.wrote(node, term, at, accepted, stale);
        boolean first;
        synchronized (signal) {
            first = accepted && term > acceptedTermSeen;
            if (first) {
                acceptedTermSeen = term;
            }
            signal.notifyAll();
        }
        if (first) {
            console.say(
                    node + " term " + term + ": first fenced write accepted (UPDATE ... WHERE term <= " + term + ")");
        } else if (!accepted) {
            console.say(node + " term " + term + (stale ? " (stale, as after a long pause)" : "")
                    + ": fenced write REFUSED by the database, a newer term has written");
        }
    }

    /** Writes every reported line to {@code events.log} in the report directory (for a closer look). */
    Path writeRawLog() throws IOException {
        Path file = options.reportDir().resolve("events.log");
        Files.write(file, List.copyOf(raw));
        return file;
    }

    List<String> clockProblems() {
        synchronized (signal) {
            return List.copyOf(clockProblems);
        }
    }

    /** Waits until some node leads and has written; returns its open term, or null on timeout. */
    Timeline.Term awaitLeader(long timeoutMillis) throws InterruptedException {
        return awaitLeaderAbove(0, timeoutMillis);
    }

    /** Waits until a term above {@code term} is open and has written; returns it, or null on timeout. */
    Timeline.Term awaitLeaderAbove(long term, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (signal) {
            while (true) {
                Timeline.Term t = timeline.latestTerm().orElse(null);
                if (t != null && t.open() && t.term() > term && acceptedTermSeen >= t.term()) {
                    return t;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(signal, left);
            }
        }
    }

    /**
     * Waits until every job has finished one run: the first firings of cold JVMs are slow (class loading, the ledger
     * table, a cold JIT), and a run still holding its lock a second later makes the next firing be vetoed everywhere.
     */
    boolean awaitWarm(List<String> jobs, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (signal) {
            while (true) {
                List<Timeline.Run> runs = timeline.snapshot().runs();
                if (jobs.stream()
                        .allMatch(j -> runs.stream().anyMatch(r -> r.job().equals(j) && r.end() != Long.MAX_VALUE))) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(signal, left);
            }
        }
    }

    long alive() {
        return nodes.values().stream().filter(NodeProcess::alive).count();
    }

    void kill(String id) {
        long at = System.nanoTime();
        timeline.killed(id, at);
        nodes.get(id).kill();
    }

    void restart(String id) throws IOException {
        timeline.restarted(id, System.nanoTime());
        start(id);
    }

    /** {@code pg_terminate_backend} of the node's elector session (application_name = node id). */
    int terminate(String id) throws SQLException {
        try (var ps = admin.prepareStatement("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))"
                + " FROM pg_stat_activity WHERE application_name = ? AND pid <> pg_backend_pid()")) {
            ps.setString(1, id);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    void send(String id, String command) {
        nodes.get(id).send(command);
    }

    /**
     * Stops the followers at once, then the leader, so the run ends with one orderly STOPPED instead of a last
     * flurry of elections; each node closes its scheduler and elector and exits.
     */
    void stopAll() throws InterruptedException {
        String leader = timeline.latestTerm()
                .filter(Timeline.Term::open)
                .map(Timeline.Term::node)
                .orElse("");
        List<NodeProcess> followers = new ArrayList<>();
        nodes.values().stream().filter(n -> !n.id.equals(leader)).forEach(followers::add);
        stopTogether(followers);
        NodeProcess last = nodes.get(leader);
        if (last != null) {
            stopTogether(List.of(last));
        }
    }

    private static void stopTogether(List<NodeProcess> group) throws InterruptedException {
        List<Thread> stoppers = new ArrayList<>();
        for (NodeProcess n : group) {
            Thread t = new Thread(
                    () -> {
                        try {
                            n.stop(20, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "demo-stop-" + n.id);
            stoppers.add(t);
            t.start();
        }
        for (Thread t : stoppers) {
            t.join(30_000);
        }
    }
}
