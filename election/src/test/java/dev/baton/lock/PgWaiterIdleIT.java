package dev.baton.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Waiter sessions opened by a burst of waits are closed once idle, so the client falls back to its lock session. */
@ExtendWith(PostgresExtension.class)
@Timeout(120)
class PgWaiterIdleIT {
    private static final Duration IDLE = Duration.ofMillis(300);
    private static final long BASE_KEY = 7_300_000L;

    @Test
    void shouldCloseTheWaiterSessionsOfABurstOnceIdleAndCountThemInAGauge(PostgresServer server) throws Exception {
        String app = "waiter-idle-burst";
        MetricRegistry registry = new MetricRegistry();
        int burst = 4;
        ExecutorService threads = Executors.newFixedThreadPool(burst);
        try (Connection holder = server.connect();
                Connection observer = server.connect();
                LockClient client = LockClient.builder(server.dataSource())
                        .instanceId(app)
                        .metrics(registry)
                        .heartbeatInterval(Duration.ofMillis(100))
                        .waiterIdleTimeout(IDLE)
                        .build()) {
            for (int i = 0; i < burst; i++) {
                advisory(holder, "pg_advisory_lock", BASE_KEY + i);
            }
            List<Future<Boolean>> waits = new ArrayList<>();
            for (int i = 0; i < burst; i++) {
                DistributedLock lock = client.lock(LockKey.of(BASE_KEY + i));
                waits.add(threads.submit(() -> {
                    if (!lock.tryLock(Duration.ofSeconds(60))) {
                        return false;
                    }
                    lock.unlock();
                    return true;
                }));
            }
            await("a waiter session per waiting key, beside the lock session")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> sessionsOf(observer, app) == burst + 1);
            assertThat(gauge(registry, app)).isEqualTo(burst);

            for (int i = 0; i < burst; i++) {
                advisory(holder, "pg_advisory_unlock", BASE_KEY + i);
            }
            for (Future<Boolean> wait : waits) {
                assertThat(wait.get(60, TimeUnit.SECONDS))
                        .as("each waiter got its key")
                        .isTrue();
            }

            await("idle waiter sessions closed, the lock session alone left")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> sessionsOf(observer, app) == 1);
            assertThat(gauge(registry, app)).isZero();

            // A later wait opens a session again: closing idle ones must not break the pool of sessions.
            advisory(holder, "pg_advisory_lock", BASE_KEY);
            DistributedLock again = client.lock(LockKey.of(BASE_KEY));
            Future<Boolean> later = threads.submit(() -> {
                if (!again.tryLock(Duration.ofSeconds(60))) {
                    return false;
                }
                again.unlock();
                return true;
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> sessionsOf(observer, app) == 2);
            advisory(holder, "pg_advisory_unlock", BASE_KEY);
            assertThat(later.get(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void shouldKeepAWaiterSessionThatHoldsALockOpenPastTheIdleTimeout(PostgresServer server) throws Exception {
        String app = "waiter-idle-pinned";
        ExecutorService threads = Executors.newFixedThreadPool(2);
        CountDownLatch releaseKept = new CountDownLatch(1);
        try (Connection holder = server.connect();
                Connection observer = server.connect();
                LockClient client = LockClient.builder(server.dataSource())
                        .instanceId(app)
                        .heartbeatInterval(Duration.ofMillis(100))
                        .waiterIdleTimeout(IDLE)
                        .build()) {
            long brief = BASE_KEY + 10;
            long kept = BASE_KEY + 11;
            advisory(holder, "pg_advisory_lock", brief);
            advisory(holder, "pg_advisory_lock", kept);
            DistributedLock briefLock = client.lock(LockKey.of(brief));
            DistributedLock keptLock = client.lock(LockKey.of(kept));
            CountDownLatch keptHeld = new CountDownLatch(1);
            Future<Boolean> briefWait = threads.submit(() -> {
                boolean got = briefLock.tryLock(Duration.ofSeconds(60));
                if (got) {
                    briefLock.unlock();
                }
                return got;
            });
            Future<Boolean> keptWait = threads.submit(() -> {
                if (!keptLock.tryLock(Duration.ofSeconds(60))) {
                    return false;
                }
                try {
                    keptHeld.countDown();
                    releaseKept.await();
                    return keptLock.isValid();
                } finally {
                    keptLock.unlock();
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> sessionsOf(observer, app) == 3);
            advisory(holder, "pg_advisory_unlock", brief);
            advisory(holder, "pg_advisory_unlock", kept);
            assertThat(briefWait.get(60, TimeUnit.SECONDS)).isTrue();
            assertThat(keptHeld.await(60, TimeUnit.SECONDS)).isTrue();

            await("the idle session closed").atMost(Duration.ofSeconds(30)).until(() -> sessionsOf(observer, app) == 2);
            await("the holding session stays open, its lock held, for several idle timeouts")
                    .during(IDLE.multipliedBy(4))
                    .atMost(IDLE.multipliedBy(10))
                    .until(() -> sessionsOf(observer, app) == 2 && heldOnServer(observer, kept));
            releaseKept.countDown();
            assertThat(keptWait.get(60, TimeUnit.SECONDS))
                    .as("hold still valid when released")
                    .isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> sessionsOf(observer, app) == 1);
        } finally {
            releaseKept.countDown();
            threads.shutdownNow();
        }
    }

    @Test
    void shouldRefuseANonPositiveIdleTimeout(PostgresServer server) {
        assertThatThrownBy(() -> LockClient.builder(server.dataSource()).waiterIdleTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("waiterIdleTimeout");
        assertThatThrownBy(() -> LockClient.builder(server.dataSource()).waiterIdleTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("waiterIdleTimeout");
    }

    private static int gauge(MetricRegistry registry, String app) {
        Gauge<?> g = registry.getGauges().get("baton.locks." + app + ".waiter-sessions");
        assertThat(g).as("waiter-sessions gauge registered").isNotNull();
        return (Integer) g.getValue();
    }

    private static void advisory(Connection c, String function, long key) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT " + function + "(" + key + ")");
        }
    }

    private static boolean heldOnServer(Connection observer, long key) throws Exception {
        try (PreparedStatement ps =
                observer.prepareStatement("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                        + " AND granted AND ((classid::bigint << 32) | objid::bigint) = ?")) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) == 1;
            }
        }
    }

    private static int sessionsOf(Connection observer, String applicationName) throws Exception {
        try (PreparedStatement ps =
                observer.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
            ps.setString(1, applicationName);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
