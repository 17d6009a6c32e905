package dev.baton.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Cases a review of the lock core found: each failed, hung or leaked before its fix. */
@ExtendWith(PostgresExtension.class)
@Timeout(60)
class PgLockReviewRegressionIT {

    @Test
    void shouldTakeTheOtherModeWhileAnotherSessionIsQueuedBehindUs(PostgresServer server) throws Exception {
        try (LockClient client = LockClient.builder(server.dataSource())
                        .instanceId("review-mode")
                        .build();
                Connection psql = server.connect();
                Connection observer = server.connect();
                OnThread queued = new OnThread("psql-waiter")) {
            DistributedLock exclusive = client.lock("review-mode-key");
            exclusive.lock();
            // A foreign session queues behind our exclusive hold, with no timeout of its own.
            Future<Boolean> foreign = queued.submit(() -> {
                try (PreparedStatement ps = psql.prepareStatement("SELECT pg_advisory_lock(?)")) {
                    ps.setLong(1, LockKey.named("review-mode-key").value());
                    ps.execute();
                    return true;
                }
            });
            PgLockMatrixIT.awaitWaiting(observer, "review-mode-key");
            // A try-lock on our own session fails behind a queued waiter; our own request must go ahead of it.
            DistributedLock shared = client.sharedLock("review-mode-key");
            assertThat(shared.tryLock())
                    .as("downgrade while another session is queued")
                    .isTrue();
            shared.unlock();
            exclusive.unlock();
            assertThat(foreign.get(20, TimeUnit.SECONDS))
                    .as("the queued session gets it after us")
                    .isTrue();
        }
    }

    @Test
    void shouldFreeAPinnedWaiterSessionWhoseConnectionDied(PostgresServer server) throws Exception {
        CountDownLatch lost = new CountDownLatch(1);
        try (LockClient holder = LockClient.builder(server.dataSource())
                        .instanceId("review-pin-holder")
                        .build();
                LockClient client = LockClient.builder(server.dataSource())
                        .instanceId("review-pin")
                        .maxWaiterConnections(1)
                        .heartbeatInterval(Duration.ofMillis(100))
                        .addListener((c, keys, reason, cause) -> lost.countDown())
                        .build();
                Connection observer = server.connect();
                OnThread holderThread = new OnThread("pin-holder");
                OnThread waiterThread = new OnThread("pin-waiter")) {
            // The client's only waiter session is granted a lock and keeps it (pinned).
            holderThread.run(() -> holder.lock("review-pin-1").lock());
            Future<Boolean> waited =
                    waiterThread.submit(() -> client.lock("review-pin-1").tryLock(Duration.ofSeconds(20)));
            PgLockMatrixIT.awaitWaiting(observer, "review-pin-1");
            holderThread.run(() -> holder.lock("review-pin-1").unlock());
            assertThat(waited.get(20, TimeUnit.SECONDS)).isTrue();
            int waiterPid = client.holder("review-pin-1").orElseThrow().pid();
            try (PreparedStatement kill = observer.prepareStatement("SELECT pg_terminate_backend(?, 10000)")) {
                kill.setInt(1, waiterPid);
                kill.execute();
            }
            assertThat(lost.await(20, TimeUnit.SECONDS))
                    .as("loss of the pinned session noticed")
                    .isTrue();
            waiterThread.run(() -> client.lock("review-pin-1").unlock());

            // The waiter session must be free again: the next contended wait blocks natively on it (a leaked pin
            // would leave no waiter session, and the wait would poll the main session instead).
            holderThread.run(() -> holder.lock("review-pin-2").lock());
            Future<Boolean> second =
                    waiterThread.submit(() -> client.lock("review-pin-2").tryLock(Duration.ofSeconds(20)));
            PgLockMatrixIT.awaitWaiting(observer, "review-pin-2");
            holderThread.run(() -> holder.lock("review-pin-2").unlock());
            assertThat(second.get(20, TimeUnit.SECONDS)).isTrue();
            waiterThread.run(() -> client.lock("review-pin-2").unlock());
        }
    }

    @Test
    void shouldEndANativeWaitWhenTheClientCloses(PostgresServer server) throws Exception {
        try (LockClient holder = LockClient.builder(server.dataSource())
                        .instanceId("review-close-holder")
                        .build();
                Connection observer = server.connect();
                OnThread waiterThread = new OnThread("close-waiter")) {
            LockClient client = LockClient.builder(server.dataSource())
                    .instanceId("review-close")
                    .build();
            holder.lock("review-close-key").lock();
            Future<Boolean> waiting = waiterThread.submit(() -> {
                client.lock("review-close-key").lock();
                return true;
            });
            PgLockMatrixIT.awaitWaiting(observer, "review-close-key");
            client.close();
            assertThatThrownBy(() -> waiting.get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
            await("the server-side wait ends with the client")
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> sessionsOf(observer, "review-close") == 0);
            holder.lock("review-close-key").unlock();
        }
    }

    @Test
    void shouldTellListenersOnAThreadOfTheirOwnThatMayUseTheClient(PostgresServer server) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        String[] seen = new String[2];
        try (LockClient client = LockClient.builder(server.dataSource())
                .instanceId("review-listener")
                .heartbeatInterval(Duration.ofMillis(100))
                .addListener((c, keys, reason, cause) -> {
                    // Not the thread whose server call found the loss (that one may be mid-call on the same key).
                    seen[0] = Thread.currentThread().getName();
                    DistributedLock other = c.lock("review-listener-other");
                    seen[1] = String.valueOf(other.tryLock());
                    other.unlock();
                    done.countDown();
                })
                .build()) {
            DistributedLock lock = client.lock("review-listener-key");
            lock.lock();
            server.terminate("review-listener");
            assertThat(done.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(seen[0]).startsWith("baton-lock-events-");
            assertThat(seen[1]).isEqualTo("true");
            lock.unlock();
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
