package dev.baton.bench;

import dev.baton.lock.DistributedLock;
import dev.baton.lock.LockClient;
import dev.baton.testkit.Measurements;
import dev.baton.testkit.PostgresServer;
import dev.baton.testkit.RecordingDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Uncontended try-lock + unlock: Baton against the raw JDBC pair ({@code pg_try_advisory_lock} then
 * {@code pg_advisory_unlock}, prepared) on the very same connection, Baton's own session. Rounds alternate between
 * the two so that machine noise hits both alike; the figures are medians over rounds of the per-pair cost.
 *
 * <p>Run: {@code mvn -B -q -pl bench -am package -DskipTests}, then
 * {@code java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" dev.baton.bench.TryLockBench [rounds [pairs]]}
 * (default 30 rounds of 2 000 pairs). The figures are one line starting {@value Measurements#PREFIX}.
 */
public final class TryLockBench {
    private TryLockBench() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int pairs = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        try (PostgresServer server = PostgresServer.shared()) {
            List<Connection> sessions = new ArrayList<>();
            try (LockClient client = LockClient.builder(RecordingDataSource.wrap(server.dataSource(), sessions))
                    .instanceId("bench")
                    .build()) {
                DistributedLock lock = client.lock("bench-uncontended");
                lock.tryLock(); // opens the session
                lock.unlock();
                Connection session = sessions.get(0);
                try (PreparedStatement tryLock = session.prepareStatement("SELECT pg_try_advisory_lock(?)");
                        PreparedStatement unlock = session.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                    long key = lock.key().value() + 1; // a different key, so neither path sees the other's hold
                    // Warm-up: JIT, and pgjdbc switches to server-prepared statements after 5 executions.
                    for (int i = 0; i < 5; i++) {
                        raw(tryLock, unlock, key, pairs);
                        baton(lock, pairs);
                    }
                    double[] rawUs = new double[rounds];
                    double[] batonUs = new double[rounds];
                    for (int r = 0; r < rounds; r++) {
                        rawUs[r] = raw(tryLock, unlock, key, pairs);
                        batonUs[r] = baton(lock, pairs);
                    }
                    double rawMedian = median(rawUs);
                    double batonMedian = median(batonUs);
                    Measurements.print(
                            "uncontended try-lock + unlock, %d rounds x %d pairs, same connection: raw JDBC pair"
                                    + " median %.1f us/pair, Baton median %.1f us/pair, ratio Baton/raw %.3f",
                            rounds, pairs, rawMedian, batonMedian, batonMedian / rawMedian);
                }
            }
        }
    }

    private static double raw(PreparedStatement tryLock, PreparedStatement unlock, long key, int pairs)
            throws SQLException {
        long start = System.nanoTime();
        for (int i = 0; i < pairs; i++) {
            tryLock.setLong(1, key);
            try (ResultSet rs = tryLock.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new IllegalStateException("raw try-lock failed");
                }
            }
            unlock.setLong(1, key);
            try (ResultSet rs = unlock.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new IllegalStateException("raw unlock failed");
                }
            }
        }
        return (System.nanoTime() - start) / 1e3 / pairs;
    }

    private static double baton(DistributedLock lock, int pairs) {
        long start = System.nanoTime();
        for (int i = 0; i < pairs; i++) {
            if (!lock.tryLock()) {
                throw new IllegalStateException("Baton try-lock failed");
            }
            lock.unlock();
        }
        return (System.nanoTime() - start) / 1e3 / pairs;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
