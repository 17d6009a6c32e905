package dev.baton.lock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** lockAll across sessions: overlapping sets in any order never deadlock, and each key excludes. */
@ExtendWith(PostgresExtension.class)
@Timeout(120)
class PgLockAllIT {
    private static final int KEYS = 6;
    private static final int THREADS_PER_CLIENT = 3;
    private static final int SETS_PER_THREAD = 40;

    @Test
    void shouldNeverDeadlockNorLoseAnUpdateWithRandomOverlappingSets(PostgresServer server) throws Exception {
        List<LockKey> keys = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            keys.add(LockKey.named("lock-all-it-" + i));
        }
        // get then set, never incrementAndGet: only the locks keep each read-modify-write whole (volatile for
        // visibility).
        AtomicIntegerArray counters = new AtomicIntegerArray(KEYS);
        AtomicIntegerArray expected = new AtomicIntegerArray(KEYS);
        ExecutorService pool = Executors.newFixedThreadPool(2 * THREADS_PER_CLIENT);
        try (LockClient a = LockClient.builder(server.dataSource())
                        .instanceId("lock-all-a")
                        .build();
                LockClient b = LockClient.builder(server.dataSource())
                        .instanceId("lock-all-b")
                        .build()) {
            List<Future<Integer>> workers = new ArrayList<>();
            for (LockClient client : List.of(a, b)) {
                for (int t = 0; t < THREADS_PER_CLIENT; t++) {
                    workers.add(pool.submit(() -> run(client, keys, counters, expected)));
                }
            }
            int timedOut = 0;
            for (Future<Integer> w : workers) {
                timedOut += w.get(100, TimeUnit.SECONDS);
            }
            assertThat(timedOut)
                    .as("sets that could not be had within 20 s (a deadlock would)")
                    .isZero();
            for (int i = 0; i < KEYS; i++) {
                assertThat(counters.get(i)).as("updates of key %d", i).isEqualTo(expected.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Takes random sets of 2-4 keys in a random order, bumps each key's counter; returns how many timed out. */
    private static int run(
            LockClient client, List<LockKey> keys, AtomicIntegerArray counters, AtomicIntegerArray expected)
            throws InterruptedException {
        int timedOut = 0;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int n = 0; n < SETS_PER_THREAD; n++) {
            List<Integer> picked = new ArrayList<>();
            for (int i = 0; i < KEYS; i++) {
                picked.add(i);
            }
            java.util.Collections.shuffle(picked, random);
            List<Integer> chosen = picked.subList(0, 2 + random.nextInt(3));
            LockKey[] set = chosen.stream().map(keys::get).toArray(LockKey[]::new);
            Optional<LockSet> held = client.lockAll(Duration.ofSeconds(20), set);
            if (held.isEmpty()) {
                timedOut++;
                continue;
            }
            try (LockSet s = held.get()) {
                for (int i : chosen) {
                    int seen = counters.get(i);
                    for (int spin = 0; spin < 200; spin++) {
                        Thread.onSpinWait(); // widen the window a missing exclusion would show in
                    }
                    counters.set(i, seen + 1);
                    expected.incrementAndGet(i);
                }
            }
        }
        return timedOut;
    }
}
