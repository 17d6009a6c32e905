package dev.baton.bench;

import dev.baton.lock.DistributedLock;
import dev.baton.lock.LockClient;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The lock engine alone, under JMH: {@link LockClient#inMemory()} is the same engine (registry, key state,
 * per-holder bookkeeping, pins) over a backend that always grants, so these figures are what Baton adds to the round
 * trips, without a network. One client is shared by all benchmark threads (as in an application); each thread has
 * keys of its own, so two threads measure the engine's shared structures, not contention on one key. Run by
 * {@link EngineJmhBench}; the engine classes are package-private in a named module, so this goes through the public
 * API as {@code EngineBench} does.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EngineJmh {
    /** The client every thread shares. */
    @State(Scope.Benchmark)
    public static class Client {
        LockClient client;
        final AtomicInteger threads = new AtomicInteger();

        @Setup(Level.Trial)
        public void open() {
            client = LockClient.inMemory();
        }

        @TearDown(Level.Trial)
        public void close() {
            client.close();
        }
    }

    /** Keys of one thread; its stacked lock is held for the whole trial. */
    @State(Scope.Thread)
    public static class Keys {
        DistributedLock exclusive;
        DistributedLock shared;
        DistributedLock stacked;
        String leaseName;

        @Setup(Level.Trial)
        @SuppressWarnings("LockNotBeforeTry") // held for the trial, released in close()
        public void open(Client c) {
            int t = c.threads.incrementAndGet();
            exclusive = c.client.lock("jmh-x-" + t);
            shared = c.client.sharedLock("jmh-s-" + t);
            stacked = c.client.lock("jmh-stacked-" + t);
            leaseName = "jmh-lease-" + t;
            stacked.lock();
        }

        @TearDown(Level.Trial)
        public void close() {
            stacked.unlock();
        }
    }

    @Benchmark
    public void exclusiveFirstAcquireLastRelease(Keys k) {
        if (!k.exclusive.tryLock()) {
            throw new IllegalStateException("try-lock failed");
        }
        k.exclusive.unlock();
    }

    @Benchmark
    public void stackedAcquireRelease(Keys k) {
        if (!k.stacked.tryLock()) {
            throw new IllegalStateException("stacked try-lock failed");
        }
        k.stacked.unlock();
    }

    @Benchmark
    public void sharedFirstAcquireLastRelease(Keys k) {
        if (!k.shared.tryLock()) {
            throw new IllegalStateException("shared try-lock failed");
        }
        k.shared.unlock();
    }

    @Benchmark
    public void leaseTryAcquireRelease(Client c, Keys k) {
        c.client
                .tryAcquire(k.leaseName)
                .orElseThrow(() -> new IllegalStateException("lease refused"))
                .release();
    }
}
