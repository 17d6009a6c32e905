package dev.baton.bench;

import dev.baton.lock.DistributedLock;
import dev.baton.lock.LockClient;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The lock engine's own cost, without a network: {@link LockClient#inMemory()} runs the same engine (registry, key
 * state, per-holder bookkeeping) over a backend that always grants. Figures are medians over rounds, in ns per
 * operation, one thread. A first acquire plus last release here is what Baton adds to the two round trips of a
 * PostgreSQL try-lock + unlock.
 *
 * <p>Run: {@code mvn -B -q -pl bench -am package -DskipTests && java -cp
 * "bench/target/classes:$(cat bench/target/classpath.txt)" dev.baton.bench.EngineBench} (args: rounds, ops per
 * round).
 */
public final class EngineBench {
    private EngineBench() {}

    @FunctionalInterface
    private interface Op {
        void run();
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int ops = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        try (LockClient client = LockClient.inMemory()) {
            DistributedLock exclusive = client.lock("engine-bench-x");
            DistributedLock shared = client.sharedLock("engine-bench-s");
            DistributedLock stacked = client.lock("engine-bench-stacked");
            Op pair = () -> {
                if (!exclusive.tryLock()) {
                    throw new IllegalStateException("try-lock failed");
                }
                exclusive.unlock();
            };
            Op sharedPair = () -> {
                if (!shared.tryLock()) {
                    throw new IllegalStateException("shared try-lock failed");
                }
                shared.unlock();
            };
            Op stackedPair = () -> {
                if (!stacked.tryLock()) {
                    throw new IllegalStateException("stacked try-lock failed");
                }
                stacked.unlock();
            };
            Op lease = () -> client.tryAcquire("engine-bench-lease")
                    .orElseThrow(() -> new IllegalStateException("lease refused"))
                    .release();
            Op[] all = {pair, sharedPair, stackedPair, lease};
            String[] names = {
                "exclusive first acquire + last release",
                "shared first acquire + last release",
                "stacked (re-entrant) acquire + release",
                "lease tryAcquire + release"
            };
            double[][] ns = new double[all.length][rounds];
            stacked.lock(); // held throughout: the stacked op is a re-entrant acquire and release
            try {
                for (int w = 0; w < 5; w++) { // warm-up: JIT
                    for (Op op : all) {
                        time(op, ops);
                    }
                }
                for (int r = 0; r < rounds; r++) { // interleaved, so machine noise hits every operation alike
                    for (int i = 0; i < all.length; i++) {
                        ns[i][r] = time(all[i], ops);
                    }
                }
            } finally {
                stacked.unlock();
            }
            for (int i = 0; i < all.length; i++) {
                out.printf(
                        "baton-measure: engine alone (in-memory backend), %s: median %.0f ns/op (%d rounds x %d)%n",
                        names[i], median(ns[i]), rounds, ops);
            }
        }
    }

    private static double time(Op op, int ops) {
        long start = System.nanoTime();
        for (int i = 0; i < ops; i++) {
            op.run();
        }
        return (double) (System.nanoTime() - start) / ops;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
