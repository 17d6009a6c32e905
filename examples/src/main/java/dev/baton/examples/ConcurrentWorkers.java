package dev.baton.examples;

import dev.baton.lock.DistributedLock;
import dev.baton.lock.LockClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * go-pglock's concurrent workers: several workers (here four servers, two threads each) increment a shared counter,
 * each increment under one exclusive lock; no increment is lost and at most one worker is inside at any time. One
 * {@link LockClient} per server serves all its threads over one session. Returns the highest number of workers seen
 * inside at once (1).
 */
public final class ConcurrentWorkers {
    private ConcurrentWorkers() {}

    public static void main(String[] args) throws Exception {
        Example.onEmbeddedPostgres(ConcurrentWorkers::run);
    }

    static int run(DataSource dataSource) throws Exception {
        List<LockClient> servers = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        int[] counter = {0}; // guarded by the distributed lock "counter"
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int s = 0; s < 4; s++) {
                LockClient server =
                        LockClient.builder(dataSource).instanceId("server-" + s).build();
                servers.add(server);
                for (int t = 0; t < 2; t++) {
                    work.add(pool.submit(() -> {
                        DistributedLock lock = server.lock("counter");
                        for (int i = 0; i < 25; i++) {
                            lock.run(Duration.ofSeconds(30), () -> {
                                most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                                counter[0]++;
                                inside.decrementAndGet();
                            });
                        }
                        return null;
                    }));
                }
            }
            for (Future<?> f : work) {
                f.get();
            }
        } finally {
            pool.shutdown();
            servers.forEach(LockClient::close);
        }
        Example.say("counter = " + counter[0] + " (8 workers x 25), most workers inside at once: " + most.get());
        return most.get();
    }
}
