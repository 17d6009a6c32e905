package dev.baton.bench;

import dev.baton.lock.DistributedLock;
import dev.baton.lock.LockClient;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Contended hand-off: one session holds the lock, another waits for it (natively, in {@code pg_advisory_lock}); the
 * time from the release call to the waiter holding the lock. Three pairs, interleaved trial by trial: Baton releaser
 * and Baton waiter, raw-SQL releaser and Baton waiter, raw-SQL releaser and raw-SQL waiter (the floor). The release
 * starts only once {@code pg_locks} shows the waiter queued on the server.
 */
final class HandOffBench {
    private HandOffBench() {}

    interface Side {
        void acquire() throws Exception;

        void release() throws Exception;
    }

    static Report.Table run(Bench b) throws Exception {
        int trials = b.trials(200, 15);
        ExecutorService waiterThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "bench-handoff-waiter"));
        try (LockClient releaserClient = LockClient.builder(b.dataSource())
                        .instanceId("bench-handoff-releaser")
                        .build();
                LockClient waiterClient = LockClient.builder(b.dataSource())
                        .instanceId("bench-handoff-waiter")
                        .build();
                Connection rawHolder = b.server().connect();
                Connection rawWaiter = b.server().connect();
                Connection monitor = b.server().connect()) {
            DistributedLock batonA = releaserClient.lock("bench-handoff-1");
            DistributedLock batonB = waiterClient.lock("bench-handoff-1");
            DistributedLock batonB2 = waiterClient.lock("bench-handoff-2");
            long key2 = batonB2.key().value();
            long key3 = key2 + 1;
            String[] names = {
                "Baton releaser → Baton waiter", "raw-SQL releaser → Baton waiter", "raw-SQL releaser → raw-SQL waiter"
            };
            Side[] holders = {baton(batonA), raw(rawHolder, key2), raw(rawHolder, key3)};
            Side[] waiters = {baton(batonB), baton(batonB2), raw(rawWaiter, key3)};
            long[] keys = {batonA.key().value(), key2, key3};
            long[][] samples = new long[3][trials];
            try (PreparedStatement queued = monitor.prepareStatement("SELECT count(*) FROM pg_locks WHERE locktype ="
                    + " 'advisory' AND NOT granted AND objsubid = 1 AND classid::bigint = ? AND objid::bigint = ?")) {
                for (int w = 0; w < 3; w++) {
                    for (int k = 0; k < 3; k++) {
                        once(holders[k], waiters[k], keys[k], queued, waiterThread);
                    }
                }
                for (int t = 0; t < trials; t++) {
                    for (int k = 0; k < 3; k++) {
                        samples[k][t] = once(holders[k], waiters[k], keys[k], queued, waiterThread);
                    }
                }
            }
            Report.Table table = new Report.Table(
                    "handoff",
                    "Contended hand-off: release → waiter holds it",
                    trials + " trials per pair, interleaved; the waiter is queued on the server (seen in `pg_locks`)"
                            + " before the release call starts; the time ends when the waiter's call returns.",
                    List.of("releaser → waiter", "median µs", "p99 µs", "max µs"));
            table.chart("µs from release to waiter holding it", false);
            for (int k = 0; k < 3; k++) {
                Stats s = Stats.ofNanosAsMicros(samples[k], trials);
                table.row(names[k], s.median(), s.p99(), s.max());
                table.bar(names[k], s.median(), s.p99());
            }
            return table;
        } finally {
            waiterThread.shutdownNow();
            waiterThread.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static long once(Side holder, Side waiter, long key, PreparedStatement queued, ExecutorService thread)
            throws Exception {
        holder.acquire();
        Future<Long> held;
        try {
            held = thread.submit(() -> {
                waiter.acquire();
                long at = System.nanoTime();
                waiter.release();
                return at;
            });
            queued.setLong(1, key >>> 32);
            queued.setLong(2, key & 0xffffffffL);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (count(queued) == 0) { // polls the server: the waiter must be queued there before the release
                if (System.nanoTime() > deadline || held.isDone()) {
                    held.get(1, TimeUnit.SECONDS);
                    throw new IllegalStateException("the waiter never queued on key " + key);
                }
            }
        } catch (Exception e) {
            holder.release();
            throw e;
        }
        long t0 = System.nanoTime();
        holder.release();
        return held.get(30, TimeUnit.SECONDS) - t0;
    }

    private static long count(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @SuppressWarnings("LockNotBeforeTry") // acquire and release are two steps of the trial, released in once()
    private static Side baton(DistributedLock lock) {
        return new Side() {
            @Override
            public void acquire() {
                lock.lock();
            }

            @Override
            public void release() {
                lock.unlock();
            }
        };
    }

    private static Side raw(Connection c, long key) throws SQLException {
        PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_lock(?)");
        PreparedStatement unlock = c.prepareStatement("SELECT pg_advisory_unlock(?)");
        return new Side() {
            @Override
            public void acquire() throws SQLException {
                lock.setLong(1, key);
                lock.executeQuery().close();
            }

            @Override
            public void release() throws SQLException {
                unlock.setLong(1, key);
                Bench.expectTrue(unlock, "raw unlock");
            }
        };
    }
}
