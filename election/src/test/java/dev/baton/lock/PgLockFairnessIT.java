package dev.baton.lock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testkit.Measurements;
import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Writer preference across sessions (issue 11, item 4): PostgreSQL queues a new shared request of a third session
 * behind a waiting exclusive one, and a new local shared holder of a client that holds the key shared waits the same
 * way, so readers in one JVM cannot starve a writer in another.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(90)
class PgLockFairnessIT {
    private static final AtomicInteger KEYS = new AtomicInteger();
    /** A blocking exclusive lock that answers true once granted ({@code pg_advisory_lock} returns void). */
    private static final String LOCK = "SELECT true FROM (SELECT pg_advisory_lock(?)) AS granted";

    private final PostgresServer server;

    PgLockFairnessIT(PostgresServer server) {
        this.server = server;
    }

    @Test
    void postgresRefusesANewSharedTryBehindAWaitingExclusiveButLetsTheHolderReEnter() throws Exception {
        String name = "fair-sql-" + KEYS.incrementAndGet();
        long key = LockKey.named(name).value();
        try (Connection reader = server.connect();
                Connection writer = server.connect();
                Connection third = server.connect();
                Connection observer = server.connect();
                OnThread writing = new OnThread("fair-sql-writer")) {
            assertThat(sql(reader, "SELECT pg_try_advisory_lock_shared(?)", key))
                    .isTrue();
            assertThat(sql(third, "SELECT pg_try_advisory_lock_shared(?)", key))
                    .as("shared beside shared, no writer waiting")
                    .isTrue();
            sql(third, "SELECT pg_advisory_unlock_shared(?)", key);
            Future<Boolean> written = writing.submit(() -> sql(writer, LOCK, key));
            PgLockMatrixIT.awaitWaiting(observer, name);
            assertThat(sql(third, "SELECT pg_try_advisory_lock_shared(?)", key))
                    .as("PostgreSQL: a third session's shared try fails behind the waiting exclusive request")
                    .isFalse();
            assertThat(sql(reader, "SELECT pg_try_advisory_lock_shared(?)", key))
                    .as("PostgreSQL: the holder's own re-entry jumps the queue")
                    .isTrue();
            sql(reader, "SELECT pg_advisory_unlock_shared(?)", key);
            sql(reader, "SELECT pg_advisory_unlock_shared(?)", key);
            assertThat(written.get(30, TimeUnit.SECONDS)).isTrue();
            sql(writer, "SELECT pg_advisory_unlock(?)", key);
        }
    }

    @Test
    void shouldRefuseANewLocalSharedTryBehindAWaitingExclusiveAsPostgresDoes() throws Exception {
        String name = "fair-try-" + KEYS.incrementAndGet();
        long key = LockKey.named(name).value();
        try (LockClient readers = client("fair-try-readers");
                Connection writer = server.connect();
                Connection observer = server.connect();
                OnThread first = new OnThread("fair-try-r1");
                OnThread second = new OnThread("fair-try-r2");
                OnThread writing = new OnThread("fair-try-writer")) {
            DistributedLock lock = readers.sharedLock(name);
            first.run(lock::lock);
            assertThat(second.check(lock::tryLock))
                    .as("a join while no writer waits")
                    .isTrue();
            second.run(lock::unlock);
            Future<Boolean> written = writing.submit(() -> sql(writer, LOCK, key));
            PgLockMatrixIT.awaitWaiting(observer, name);

            assertThat(second.check(lock::tryLock))
                    .as("a new local shared holder's try fails behind the writer, like a third session's")
                    .isFalse();
            assertThat(readers.tryAcquireShared(name))
                    .as("a shared lease is a new holder too")
                    .isEmpty();
            assertThat(first.check(lock::tryLock))
                    .as("the holder re-enters (a nesting holder never waits)")
                    .isTrue();
            first.run(lock::unlock);
            first.run(lock::unlock);
            assertThat(written.get(30, TimeUnit.SECONDS))
                    .as("the writer gets in")
                    .isTrue();
            assertThat(second.check(lock::tryLock)).as("the writer holds it").isFalse();
            sql(writer, "SELECT pg_advisory_unlock(?)", key);
            assertThat(second.check(lock::tryLock)).as("free again").isTrue();
            second.run(lock::unlock);
        }
    }

    @Test
    void shouldLetABatonWriterInPastAReaderRelayOfAnotherClient() throws Exception {
        String name = "fair-relay-baton-" + KEYS.incrementAndGet();
        try (LockClient writers = client("fair-relay-writer");
                OnThread writing = new OnThread("fair-relay-writer")) {
            assertThat(writerPastReaderRelay(
                            name,
                            () -> writing.submit(() -> {
                                DistributedLock lock = writers.lock(name);
                                boolean got = lock.tryLock(Duration.ofSeconds(60));
                                if (got) {
                                    lock.unlock();
                                }
                                return got;
                            })))
                    .isPositive();
        }
    }

    @Test
    void shouldLetAPlainSqlWriterInPastAReaderRelay() throws Exception {
        String name = "fair-relay-sql-" + KEYS.incrementAndGet();
        long key = LockKey.named(name).value();
        try (Connection writer = server.connect();
                OnThread writing = new OnThread("fair-relay-sql-writer")) {
            assertThat(writerPastReaderRelay(
                            name,
                            () -> writing.submit(() -> {
                                sql(writer, LOCK, key);
                                return sql(writer, "SELECT pg_advisory_unlock(?)", key);
                            })))
                    .isPositive();
        }
    }

    /**
     * Two reader threads of one client hand the shared lock to each other so that it is never free: the next reader
     * joins (a try) before the current one leaves, and only a refused try makes it wait for the lock after the current
     * one left. Without writer preference the writer started by {@code startWriter} never gets in. Returns the number
     * of hand-overs after the writer got in (readers go on afterwards).
     */
    private int writerPastReaderRelay(String name, Callable<Future<Boolean>> startWriter) throws Exception {
        try (LockClient readers = client("fair-relay-readers");
                Connection observer = server.connect();
                OnThread r0 = new OnThread("fair-relay-r0");
                OnThread r1 = new OnThread("fair-relay-r1")) {
            DistributedLock lock = readers.sharedLock(name);
            OnThread[] reader = {r0, r1};
            reader[0].run(lock::lock);
            Future<Boolean> writer = null;
            int after = 0;
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            for (int cur = 0, round = 0; after < 5 && System.nanoTime() < giveUp; cur = 1 - cur, round++) {
                if (round == 3) {
                    writer = startWriter.call();
                    PgLockMatrixIT.awaitWaiting(observer, name);
                }
                OnThread next = reader[1 - cur];
                boolean joined = next.check(lock::tryLock);
                reader[cur].run(lock::unlock);
                if (!joined) {
                    next.run(lock::lock); // after the current reader left: behind the writer, in PostgreSQL's queue
                }
                if (writer != null && writer.isDone()) {
                    after++;
                }
            }
            assertThat(writer).isNotNull();
            assertThat(writer.isDone())
                    .as("the writer got in while the readers kept taking the lock")
                    .isTrue();
            assertThat(writer.get()).isTrue();
            return after;
        }
    }

    @Test
    @Tag("measure")
    void measureTheCostOfASharedJoin() throws Exception {
        String name = "fair-measure-" + KEYS.incrementAndGet();
        int n = Integer.getInteger("baton.trials", 500);
        try (LockClient client = client("fair-measure");
                OnThread holder = new OnThread("fair-measure-holder");
                OnThread joiner = new OnThread("fair-measure-joiner")) {
            DistributedLock lock = client.sharedLock(name);
            DistributedLock first = client.sharedLock(name + "-alone");
            List<Double> alone = new ArrayList<>();
            List<Double> join = new ArrayList<>();
            List<Double> stacked = new ArrayList<>();
            holder.run(lock::lock);
            joiner.run(() -> {
                for (int i = 0; i < n; i++) {
                    alone.add(timed(() -> {
                        first.tryLock();
                        first.unlock();
                    }));
                    join.add(timed(() -> {
                        lock.tryLock();
                        lock.unlock();
                    }));
                }
            });
            holder.run(() -> {
                for (int i = 0; i < n; i++) {
                    stacked.add(timed(() -> {
                        lock.tryLock();
                        lock.unlock();
                    }));
                }
                lock.unlock();
            });
            Measurements.printMillis("shared first acquire + last release (two round trips)", alone);
            Measurements.printMillis("shared join beside another thread's hold + leave (one look)", join);
            Measurements.printMillis("shared stacked re-entry + release (no round trip)", stacked);
        }
    }

    private static double timed(Runnable op) {
        long start = System.nanoTime();
        op.run();
        return (System.nanoTime() - start) / 1e6;
    }

    private LockClient client(String instanceId) {
        return LockClient.builder(server.dataSource()).instanceId(instanceId).build();
    }

    private static boolean sql(Connection c, String query, long key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(query)) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
