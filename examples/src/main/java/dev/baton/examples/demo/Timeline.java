package dev.baton.examples.demo;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Everything a demo run recorded, stamped with {@code System.nanoTime()} of the process that saw it. On one machine
 * every JVM's {@code nanoTime} reads the same monotonic clock (CLOCK_MONOTONIC on Linux), so stamps from different
 * node processes can be compared; {@link Demo} checks that on start. Thread-safe: every method synchronises on
 * {@code this} (node reader threads add, the printer and the report read copies).
 */
final class Timeline {
    /** One leadership term as its holder saw it; {@code end} is the REVOKED instant or the SIGKILL instant. */
    record Term(String node, long term, long start, long end, String endReason) {
        boolean open() {
            return end == Long.MAX_VALUE;
        }
    }

    /** One job run: started, and finished unless the node was killed during it ({@code end == MAX_VALUE}). */
    record Run(String job, long fireEpochMs, String node, long start, long end) {}

    record Veto(String job, long fireEpochMs, String node, String reason) {}

    /** A fault the demo injected; {@code takeoverNanos} is -1 until a successor is elected. */
    record Fault(String kind, String node, long at, long termBefore, long takeoverNanos) {}

    /** A span during which a node's process was not running (killed until restarted, or until the end). */
    record Down(String node, long from, long to) {}

    record Write(String node, long term, long at, boolean accepted, boolean stale) {}

    @GuardedBy("this")
    private final List<Term> terms = new ArrayList<>();

    @GuardedBy("this")
    private final List<Run> runs = new ArrayList<>();

    @GuardedBy("this")
    private final List<Veto> vetoes = new ArrayList<>();

    @GuardedBy("this")
    private final List<Fault> faults = new ArrayList<>();

    @GuardedBy("this")
    private final List<Down> downs = new ArrayList<>();

    @GuardedBy("this")
    private final List<Write> writes = new ArrayList<>();

    @GuardedBy("this")
    private final List<String> nodes = new ArrayList<>();

    private final long origin;

    @GuardedBy("this")
    private long windowStart;

    @GuardedBy("this")
    private long end;

    Timeline(long origin) {
        this.origin = origin;
    }

    /** The instant everything is drawn from (before the first node was started). */
    long origin() {
        return origin;
    }

    synchronized void node(String node) {
        if (!nodes.contains(node)) {
            nodes.add(node);
        }
    }

    synchronized void elected(String node, long term, long at) {
        terms.add(new Term(node, term, at, Long.MAX_VALUE, ""));
    }

    /** Closes the node's open term {@code term} (a no-op if it is closed already). */
    synchronized void ended(String node, long term, long at, String reason) {
        for (int i = 0; i < terms.size(); i++) {
            Term t = terms.get(i);
            if (t.node().equals(node) && t.term() == term && t.open()) {
                terms.set(i, new Term(node, term, t.start(), at, reason));
            }
        }
    }

    /** Closes every open term of a node that was just killed. */
    synchronized void killed(String node, long at) {
        for (Term t : List.copyOf(terms)) {
            if (t.node().equals(node) && t.open()) {
                ended(node, t.term(), at, "SIGKILL");
            }
        }
        downs.add(new Down(node, at, Long.MAX_VALUE));
    }

    synchronized void restarted(String node, long at) {
        for (int i = 0; i < downs.size(); i++) {
            Down d = downs.get(i);
            if (d.node().equals(node) && d.to() == Long.MAX_VALUE) {
                downs.set(i, new Down(node, d.from(), at));
            }
        }
    }

    synchronized void runStarted(String job, long fireEpochMs, String node, long at) {
        runs.add(new Run(job, fireEpochMs, node, at, Long.MAX_VALUE));
    }

    synchronized void runFinished(String job, long fireEpochMs, String node, long at) {
        for (int i = 0; i < runs.size(); i++) {
            Run r = runs.get(i);
            if (r.job().equals(job)
                    && r.fireEpochMs() == fireEpochMs
                    && r.node().equals(node)) {
                runs.set(i, new Run(job, fireEpochMs, node, r.start(), at));
            }
        }
    }

    synchronized void vetoed(String job, long fireEpochMs, String node, String reason) {
        vetoes.add(new Veto(job, fireEpochMs, node, reason));
    }

    synchronized void wrote(String node, long term, long at, boolean accepted, boolean stale) {
        writes.add(new Write(node, term, at, accepted, stale));
    }

    synchronized int fault(String kind, String node, long at, long termBefore) {
        faults.add(new Fault(kind, node, at, termBefore, -1));
        return faults.size() - 1;
    }

    /** Records, for every fault still waiting, the takeover by the first term above the one it interrupted. */
    synchronized void takeover(long term, long at) {
        for (int i = 0; i < faults.size(); i++) {
            Fault f = faults.get(i);
            if (f.takeoverNanos() < 0 && term > f.termBefore() && at >= f.at()) {
                faults.set(i, new Fault(f.kind(), f.node(), f.at(), f.termBefore(), at - f.at()));
            }
        }
    }

    synchronized void window(long start, long end) {
        this.windowStart = start;
        this.end = end;
    }

    /** The newest term anyone was elected to, if any. */
    synchronized Optional<Term> latestTerm() {
        return terms.stream().max((a, b) -> Long.compare(a.term(), b.term()));
    }

    synchronized Snapshot snapshot() {
        return new Snapshot(
                origin,
                windowStart,
                end,
                List.copyOf(nodes),
                List.copyOf(terms),
                List.copyOf(runs),
                List.copyOf(vetoes),
                List.copyOf(faults),
                List.copyOf(downs),
                List.copyOf(writes));
    }

    /** An immutable copy, for the summary and the report. */
    record Snapshot(
            long origin,
            long windowStart,
            long end,
            List<String> nodes,
            List<Term> terms,
            List<Run> runs,
            List<Veto> vetoes,
            List<Fault> faults,
            List<Down> downs,
            List<Write> writes) {}
}
