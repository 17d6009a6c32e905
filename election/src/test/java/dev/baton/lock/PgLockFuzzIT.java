package dev.baton.lock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Mutual exclusion under load: threads of several clients increment a counter row with a read-then-write (a lost
 * update if two ever overlap), under the lock, mixing try, timed and blocking acquires.
 */
@ExtendWith(PostgresExtension.class)
class PgLockFuzzIT {
    private static final int CLIENTS = 3;
    private static final int THREADS_PER_CLIENT = 4;
    private static final int INCREMENTS = 40;

    @Test
    @Timeout(120)
    void shouldNeverLoseAnUpdateUnderTheLock(PostgresServer server) throws Exception {
        try (Connection c = server.connect();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS fuzz_counter(id int PRIMARY KEY, v int NOT NULL)");
            st.execute("INSERT INTO fuzz_counter VALUES (1, 0) ON CONFLICT (id) DO UPDATE SET v = 0");
        }
        List<LockClient> clients = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS * THREADS_PER_CLIENT);
        try {
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(LockClient.builder(server.dataSource())
                        .instanceId("fuzz-" + i)
                        .build());
            }
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> workers = new ArrayList<>();
            for (LockClient client : clients) {
                for (int t = 0; t < THREADS_PER_CLIENT; t++) {
                    workers.add(pool.submit(() -> increment(server, client.lock("fuzz-counter"), start)));
                }
            }
            start.countDown();
            int done = 0;
            for (Future<Integer> w : workers) {
                done += w.get(100, TimeUnit.SECONDS);
            }
            assertThat(done).isEqualTo(CLIENTS * THREADS_PER_CLIENT * INCREMENTS);
            try (Connection c = server.connect();
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT v FROM fuzz_counter WHERE id = 1")) {
                rs.next();
                assertThat(rs.getInt(1)).as("no lost update").isEqualTo(done);
            }
        } finally {
            pool.shutdownNow();
            clients.forEach(LockClient::close);
        }
    }

    private static int increment(PostgresServer server, DistributedLock lock, CountDownLatch start) throws Exception {
        start.await();
        int done = 0;
        try (Connection c = server.connect();
                PreparedStatement read = c.prepareStatement("SELECT v FROM fuzz_counter WHERE id = 1");
                PreparedStatement write = c.prepareStatement("UPDATE fuzz_counter SET v = ? WHERE id = 1")) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (done < INCREMENTS) {
                boolean got;
                switch (random.nextInt(3)) {
                    // A refused immediate try falls back to a bounded wait, so no thread spins on the CPU.
                    case 0 -> got = lock.tryLock() || lock.tryLock(Duration.ofMillis(20));
                    case 1 -> got = lock.tryLock(Duration.ofMillis(random.nextInt(1, 50)));
                    default -> {
                        lock.lock();
                        got = true;
                    }
                }
                if (!got) {
                    continue;
                }
                try {
                    int v = readValue(read);
                    Thread.onSpinWait();
                    write.setInt(1, v + 1);
                    write.executeUpdate();
                    done++;
                } finally {
                    lock.unlock();
                }
            }
        }
        return done;
    }

    private static int readValue(PreparedStatement read) throws SQLException {
        try (ResultSet rs = read.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
