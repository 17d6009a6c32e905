package dev.baton.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.codahale.metrics.MetricRegistry;
import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import dev.baton.testkit.RecordingDataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Session loss: every hold is marked lost at once, holders and listeners learn it, new work reconnects. */
@ExtendWith(PostgresExtension.class)
@Timeout(90)
class PgLockSessionLossIT {
    record Loss(Set<LockKey> keys, LockClientListener.Reason reason) {}

    private final List<Loss> losses = new CopyOnWriteArrayList<>();
    private final MetricRegistry metrics = new MetricRegistry();

    private LockClient client(PostgresServer server, String id) {
        return LockClient.builder(server.dataSource())
                .instanceId(id)
                .heartbeatInterval(Duration.ofMillis(200))
                .metrics(metrics)
                .addListener((c, keys, reason, cause) -> losses.add(new Loss(keys, reason)))
                .build();
    }

    @Test
    void shouldMarkEveryHoldLostWhenTheBackendIsTerminated(PostgresServer server) throws Exception {
        try (LockClient client = client(server, "loss-terminate");
                LockClient other = client(server, "loss-terminate-other")) {
            DistributedLock first = client.lock("loss-t-1");
            DistributedLock second = client.sharedLock("loss-t-2");
            first.lock();
            second.lock();
            assertThat(server.terminate("loss-terminate")).isEqualTo(1);

            await("the heartbeat notices the terminated session")
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> !losses.isEmpty());
            assertThat(losses).singleElement().satisfies(loss -> {
                assertThat(loss.reason()).isEqualTo(LockClientListener.Reason.SESSION_LOST);
                assertThat(loss.keys()).containsExactlyInAnyOrder(first.key(), second.key());
            });
            assertThat(first.isValid()).isFalse();
            assertThat(second.isValid()).isFalse();
            assertThatThrownBy(first::checkValid).isInstanceOf(LockLostException.class);
            assertThat(other.lock("loss-t-1").tryLock())
                    .as("the server released it with the session")
                    .isTrue();
            other.lock("loss-t-1").unlock();

            assertThatThrownBy(first::lock).as("re-entering a lost hold").isInstanceOf(LockLostException.class);
            first.unlock(); // balancing a lost hold does not throw
            second.unlock();
            DistributedLock fresh = client.lock("loss-t-3");
            assertThat(fresh.tryLock()).as("the next operation reconnects").isTrue();
            assertThat(fresh.isValid()).isTrue();
            fresh.unlock();
            assertThat(metrics.counter("baton.locks.loss-terminate.sessions-lost")
                            .getCount())
                    .isEqualTo(1);
            assertThat(metrics.counter("baton.locks.loss-terminate.locks-lost").getCount())
                    .isEqualTo(2);
            assertThat(metrics.counter("baton.locks.loss-terminate.reconnects").getCount())
                    .isEqualTo(1);
        }
    }

    @Test
    void shouldReportAnUnlockThatPostgresDeniedAsALoss(PostgresServer server) throws Exception {
        List<Connection> sessions = new CopyOnWriteArrayList<>();
        try (LockClient client = LockClient.builder(RecordingDataSource.wrap(server.dataSource(), sessions))
                .instanceId("loss-denied")
                .metrics(metrics)
                .addListener((c, keys, reason, cause) -> losses.add(new Loss(keys, reason)))
                .build()) {
            DistributedLock lock = client.lock("loss-denied-1");
            lock.lock();
            // Release it behind the client's back, on its own session, as a stray pg_advisory_unlock_all would.
            try (Statement st = sessions.get(0).createStatement()) {
                st.execute("SELECT pg_advisory_unlock_all()");
            }
            lock.unlock();
            await("the listener is told").atMost(Duration.ofSeconds(10)).until(() -> !losses.isEmpty());
            assertThat(losses).containsExactly(new Loss(Set.of(lock.key()), LockClientListener.Reason.UNLOCK_NOT_HELD));
            assertThat(metrics.counter("baton.locks.loss-denied.locks-lost").getCount())
                    .isEqualTo(1);
        }
    }

    @Test
    void shouldSurviveAServerRestart(PostgresServer server) throws Exception {
        assumeFalse(
                server.isExternal(), "restarting the server needs a testkit server; skipped with BATON_TEST_JDBC_URL");
        try (LockClient client = client(server, "loss-restart")) {
            DistributedLock lock = client.lock("loss-r-1");
            lock.lock();
            server.restart();
            await("the heartbeat notices the restart")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> !losses.isEmpty());
            assertThat(lock.isValid()).isFalse();
            lock.unlock();
            assertThat(client.lock("loss-r-2").tryLock()).isTrue();
            assertThat(client.lock("loss-r-2").isValid()).isTrue();
            client.lock("loss-r-2").unlock();
        }
    }
}
