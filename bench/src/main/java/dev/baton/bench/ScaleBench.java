package dev.baton.bench;

import dev.baton.lock.DistributedLock;
import dev.baton.lock.LockClient;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Many locks at once. One Baton client (one session) and one raw connection each grow to 1 000 and 10 000 held
 * locks; at each level the cost of one more try-lock + unlock pair is timed on both, interleaved (the server's own
 * cost per statement grows with the locks a session holds). Then go-pglock's model, a connection per lock, until the
 * server refuses a connection; and the heap each held Baton lock takes.
 */
final class ScaleBench {
    private ScaleBench() {}

    static List<Report.Table> run(Bench b) throws Exception {
        int[] levels = {0, 1_000, 10_000};
        int pairs = b.trials(2_000, 200);
        Report.Table cost = new Report.Table(
                "scale-held",
                "One session holding many locks: cost of one more try-lock + unlock",
                "One Baton client and one raw connection each hold the number of locks in the first column (taken by"
                        + " try-lock on distinct keys); then " + pairs + " pairs on one more key, timed one by one,"
                        + " Baton and raw alternating.",
                List.of(
                        "locks held by the session",
                        "Baton median µs",
                        "Baton p99 µs",
                        "raw median µs",
                        "raw p99 µs",
                        "Baton / raw"));
        cost.chart("µs per try-lock + unlock pair, median", false);
        Report.Table heap = new Report.Table(
                "scale-heap",
                "Heap per held lock (Baton)",
                "Used heap after a full GC, before and after one client takes the locks (the application keeps each"
                        + " `DistributedLock`); a rough figure from `MemoryMXBean`.",
                List.of("locks held", "heap growth MiB", "bytes per held lock"));
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        try (LockClient client = LockClient.builder(b.dataSource())
                        .instanceId("bench-scale")
                        .maxKeys(50_000)
                        .build();
                Connection raw = b.server().connect();
                PreparedStatement rawTry = raw.prepareStatement("SELECT pg_try_advisory_lock(?)");
                PreparedStatement rawUnlock = raw.prepareStatement("SELECT pg_advisory_unlock(?)")) {
            DistributedLock probe = client.lock("bench-scale-probe");
            long rawProbe = probe.key().value() + 1;
            List<DistributedLock> held = new ArrayList<>();
            probe.tryLock();
            probe.unlock();
            long heapBefore = usedHeap(memory);
            int rawHeld = 0;
            for (int level : levels) {
                while (held.size() < level) {
                    DistributedLock l = client.lock("bench-scale-" + held.size());
                    if (!l.tryLock()) {
                        throw new IllegalStateException("scale lock " + held.size() + " refused");
                    }
                    held.add(l);
                }
                while (rawHeld < level) {
                    rawTry.setLong(1, 7_000_000_000L + rawHeld);
                    Bench.expectTrue(rawTry, "raw scale try-lock");
                    rawHeld++;
                }
                if (level > 0) {
                    long grown = usedHeap(memory) - heapBefore;
                    heap.row(level, grown / 1024.0 / 1024.0, (double) grown / level);
                }
                long[] baton = new long[pairs];
                long[] rawNs = new long[pairs];
                for (int i = 0; i < pairs + 100; i++) {
                    long t0 = System.nanoTime();
                    if (!probe.tryLock()) {
                        throw new IllegalStateException("probe refused");
                    }
                    probe.unlock();
                    long t1 = System.nanoTime();
                    rawTry.setLong(1, rawProbe);
                    Bench.expectTrue(rawTry, "raw probe");
                    rawUnlock.setLong(1, rawProbe);
                    Bench.expectTrue(rawUnlock, "raw probe unlock");
                    long t2 = System.nanoTime();
                    if (i >= 100) { // the first 100 warm up
                        baton[i - 100] = t1 - t0;
                        rawNs[i - 100] = t2 - t1;
                    }
                }
                Stats sb = Stats.ofNanosAsMicros(baton, pairs);
                Stats sr = Stats.ofNanosAsMicros(rawNs, pairs);
                cost.row(level, sb.median(), sb.p99(), sr.median(), sr.p99(), sb.median() / sr.median());
                cost.bar("Baton, " + level + " held", sb.median(), sb.p99());
                cost.bar("raw, " + level + " held", sr.median(), sr.p99());
            }
            for (DistributedLock l : held) {
                l.unlock();
            }
        }
        return List.of(cost, heap, connectionPerLock(b));
    }

    /** go-pglock's model: each lock on a connection of its own, until the server says no. */
    private static Report.Table connectionPerLock(Bench b) throws SQLException {
        long max = b.queryLong("SELECT setting::bigint FROM pg_settings WHERE name = 'max_connections'");
        long reserved =
                b.queryLong("SELECT setting::bigint FROM pg_settings WHERE name = 'superuser_reserved_connections'");
        long inUse = b.queryLong("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'");
        List<Connection> connections = new ArrayList<>();
        String refusal = "none";
        long[] openNs = new long[(int) max + 1];
        int n = 0;
        try {
            while (n <= max) {
                long t0 = System.nanoTime();
                Connection c;
                try {
                    c = b.server().connect();
                } catch (SQLException e) {
                    refusal = e.getMessage().replace('\n', ' ');
                    break;
                }
                connections.add(c);
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                    ps.setLong(1, 8_000_000_000L + n);
                    Bench.expectTrue(ps, "connection-per-lock try-lock");
                }
                openNs[n++] = System.nanoTime() - t0;
            }
        } finally {
            for (Connection c : connections) {
                c.close();
            }
        }
        Stats s = Stats.ofNanosAsMicros(openNs, Math.max(1, n));
        Report.Table t = new Report.Table(
                "scale-connections",
                "A connection per lock (go-pglock's model)",
                "New connections, each taking one advisory lock, until the server refuses one. The server had "
                        + "`max_connections` = " + max + ", " + reserved + " reserved for superusers, and " + inUse
                        + " client sessions already open (this run's own). One Baton client holds 10 000 locks on"
                        + " one session (table above).",
                List.of("locks held (= connections)", "connect + lock median µs", "p99 µs", "refused with"));
        t.row(n, s.median(), s.p99(), refusal);
        return t;
    }

    private static long usedHeap(MemoryMXBean memory) {
        for (int i = 0; i < 3; i++) {
            System.gc(); // a measurement of retained heap, not synchronisation
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
