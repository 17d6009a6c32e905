package dev.baton.lock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The go-pglock compatibility matrix between two clients (two sessions), and interop with plain SQL holders. */
@ExtendWith(PostgresExtension.class)
@Timeout(60)
class PgLockMatrixIT {
    private static final AtomicInteger KEYS = new AtomicInteger();

    private final PostgresServer server;
    private LockClient a;
    private LockClient b;

    PgLockMatrixIT(PostgresServer server) {
        this.server = server;
    }

    @BeforeEach
    void open() {
        a = LockClient.builder(server.dataSource()).instanceId("matrix-a").build();
        b = LockClient.builder(server.dataSource()).instanceId("matrix-b").build();
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    enum Held {
        NONE,
        EXCLUSIVE,
        SHARED
    }

    /** go-pglock README: with None held both Lock and RLock succeed; Exclusive blocks both; Shared blocks only Lock. */
    static Stream<Arguments> matrix() {
        return Stream.of(
                Arguments.of(Held.NONE, LockMode.EXCLUSIVE, true),
                Arguments.of(Held.NONE, LockMode.SHARED, true),
                Arguments.of(Held.EXCLUSIVE, LockMode.EXCLUSIVE, false),
                Arguments.of(Held.EXCLUSIVE, LockMode.SHARED, false),
                Arguments.of(Held.SHARED, LockMode.EXCLUSIVE, false),
                Arguments.of(Held.SHARED, LockMode.SHARED, true));
    }

    @ParameterizedTest(name = "{0} held by another client, try {1} -> {2}")
    @MethodSource("matrix")
    void shouldFollowTheGoPglockMatrixBetweenClients(Held held, LockMode requested, boolean expected) {
        String name = "matrix-" + KEYS.incrementAndGet();
        DistributedLock holder =
                held == Held.SHARED ? a.sharedLock(name) : held == Held.EXCLUSIVE ? a.lock(name) : null;
        if (holder != null) {
            holder.lock();
        }
        DistributedLock request = requested == LockMode.SHARED ? b.sharedLock(name) : b.lock(name);
        assertThat(request.tryLock()).isEqualTo(expected);
        if (expected) {
            request.unlock();
        }
        if (holder != null) {
            holder.unlock();
        }
        assertThat(b.isLocked(name)).isFalse();
    }

    @ParameterizedTest(name = "{0} held by another thread, try {1} -> {2}")
    @MethodSource("matrix")
    void shouldFollowTheGoPglockMatrixBetweenThreads(Held held, LockMode requested, boolean expected) throws Exception {
        String name = "matrix-t-" + KEYS.incrementAndGet();
        DistributedLock holder =
                held == Held.SHARED ? a.sharedLock(name) : held == Held.EXCLUSIVE ? a.lock(name) : null;
        if (holder != null) {
            holder.lock();
        }
        DistributedLock request = requested == LockMode.SHARED ? a.sharedLock(name) : a.lock(name);
        try (OnThread other = new OnThread("matrix-other")) {
            assertThat(other.check(() -> {
                        boolean got = request.tryLock();
                        if (got) {
                            request.unlock();
                        }
                        return got;
                    }))
                    .isEqualTo(expected);
        }
        if (holder != null) {
            holder.unlock();
        }
    }

    @Test
    void shouldContendWithAPlainSqlHolderOfTheHashedName() throws Exception {
        String name = "interop-" + KEYS.incrementAndGet();
        DistributedLock lock = a.lock(name);
        try (Connection psql = server.connect();
                PreparedStatement take = psql.prepareStatement("SELECT pg_advisory_lock(?)");
                PreparedStatement give = psql.prepareStatement("SELECT pg_advisory_unlock(?)");
                OnThread waiter = new OnThread("interop-waiter")) {
            take.setLong(1, LockKey.named(name).value());
            take.execute();
            assertThat(lock.tryLock())
                    .as("a foreign session holds the FNV-1a key")
                    .isFalse();
            assertThat(a.holder(name).orElseThrow().applicationName()).isNotEqualTo(a.instanceId());

            Future<Long> woke = waiter.submit(() -> {
                boolean got = lock.tryLock(Duration.ofSeconds(30));
                long at = System.nanoTime();
                if (got) {
                    lock.unlock();
                }
                return got ? at : -1L;
            });
            awaitWaiting(psql, name);
            give.setLong(1, LockKey.named(name).value());
            give.execute();
            long wokeAt = woke.get(30, TimeUnit.SECONDS);
            assertThat(wokeAt).as("the waiter got the lock").isPositive();
        }
    }

    /** Waits until a Baton waiter connection is blocked on the key (so the release really wakes a waiter). */
    static void awaitWaiting(Connection observer, String name) throws SQLException {
        long key = LockKey.named(name).value();
        try (PreparedStatement ps = observer.prepareStatement("SELECT count(*) FROM pg_locks WHERE locktype ="
                + " 'advisory' AND NOT granted AND classid::bigint = ? AND objid::bigint = ?")) {
            ps.setLong(1, key >>> 32);
            ps.setLong(2, key & 0xffffffffL);
            org.awaitility.Awaitility.await("a waiter blocked on " + name)
                    .atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> {
                        try (var rs = ps.executeQuery()) {
                            rs.next();
                            return rs.getInt(1) > 0;
                        }
                    });
        }
    }
}
