package dev.baton.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Loss noticed by the loss watcher, not the heartbeat: with a heartbeat of a minute, a terminated lock session and a
 * server shutdown are reported within seconds; a terminated watcher is no loss and is replaced; acquire and release
 * send exactly one statement each (the watcher adds none to them).
 */
@ExtendWith(PostgresExtension.class)
@Timeout(90)
class PgLockLossNoticeIT {
    private static final Duration HEARTBEAT = Duration.ofSeconds(60);
    private static final Duration WELL_BEFORE_THE_HEARTBEAT = Duration.ofSeconds(10);

    private final List<LockClientListener.Reason> losses = new CopyOnWriteArrayList<>();

    private LockClient.Builder client(DataSource ds, String id) {
        return LockClient.builder(ds)
                .instanceId(id)
                .heartbeatInterval(HEARTBEAT)
                .lossTimeout(Duration.ofSeconds(80))
                .serverReleaseAfter(Duration.ofSeconds(90))
                .addListener((c, keys, reason, cause) -> losses.add(reason));
    }

    @Test
    void shouldTellTheListenerAtOnceWhenTheLockSessionIsTerminated(PostgresServer server) throws Exception {
        try (LockClient client = client(server.dataSource(), "notice-term").build()) {
            DistributedLock lock = client.lock("notice-term-1");
            assertThat(lock.tryLock()).isTrue();
            awaitWatching(server, "notice-term");
            assertThat(server.terminate("notice-term"))
                    .as("the lock session only")
                    .isEqualTo(1);
            await("the watcher's notice, long before the heartbeat")
                    .atMost(WELL_BEFORE_THE_HEARTBEAT)
                    .until(() -> !losses.isEmpty());
            assertThat(losses).containsExactly(LockClientListener.Reason.SESSION_LOST);
            assertThat(lock.isValid()).isFalse();
            lock.unlock();
            DistributedLock again = client.lock("notice-term-2");
            assertThat(again.tryLock()).as("the next operation reconnects").isTrue();
            awaitWatching(server, "notice-term");
            assertThat(server.terminate("notice-term")).isEqualTo(1);
            await("the watcher watches the new session too")
                    .atMost(WELL_BEFORE_THE_HEARTBEAT)
                    .until(() -> losses.size() == 2);
            assertThat(again.isValid()).isFalse();
            again.unlock();
        }
    }

    @Test
    void shouldNotTakeTheWatchersOwnDeathForALoss(PostgresServer server) throws Exception {
        try (LockClient client = client(server.dataSource(), "notice-watcher").build()) {
            DistributedLock lock = client.lock("notice-watcher-1");
            assertThat(lock.tryLock()).isTrue();
            awaitWatching(server, "notice-watcher");
            assertThat(server.terminate("notice-watcher watcher"))
                    .as("the watcher only")
                    .isEqualTo(1);
            awaitWatching(server, "notice-watcher"); // reopened
            assertThat(lock.isValid()).as("the lock session is fine").isTrue();
            assertThat(losses).isEmpty();
            assertThat(server.terminate("notice-watcher")).isEqualTo(1);
            await("the reopened watcher notices the lock session's end")
                    .atMost(WELL_BEFORE_THE_HEARTBEAT)
                    .until(() -> !losses.isEmpty());
            assertThat(lock.isValid()).isFalse();
            lock.unlock();
        }
    }

    @Test
    void shouldTellTheListenerAtOnceWhenTheServerShutsDown() throws Exception {
        assumeThat(PostgresServer.shared().isExternal())
                .as("stopping a server needs one owned by the test; BATON_TEST_JDBC_URL is set")
                .isFalse();
        try (PostgresServer server = PostgresServer.builder().start();
                LockClient client = client(server.dataSource(), "notice-stop").build()) {
            DistributedLock lock = client.lock("notice-stop-1");
            assertThat(lock.tryLock()).isTrue();
            awaitWatching(server, "notice-stop");
            server.stop();
            await("the watcher's notice, long before the heartbeat")
                    .atMost(WELL_BEFORE_THE_HEARTBEAT)
                    .until(() -> !losses.isEmpty());
            assertThat(losses).containsExactly(LockClientListener.Reason.SESSION_LOST);
            assertThat(lock.isValid()).isFalse();
            lock.unlock();
            server.restart();
            DistributedLock again = client.lock("notice-stop-2");
            assertThat(again.tryLock()).as("works again after the restart").isTrue();
            again.unlock();
        }
    }

    @Test
    void shouldSendOneStatementPerAcquireAndOnePerRelease(PostgresServer server) throws Exception {
        AtomicInteger statements = new AtomicInteger();
        try (LockClient client = client(counting(server.dataSource(), statements), "notice-count")
                .build()) {
            DistributedLock warm = client.lock("notice-count-0");
            assertThat(warm.tryLock()).isTrue(); // opens the session (and arms the watcher)
            warm.unlock();
            awaitWatching(server, "notice-count");
            int before = statements.get();
            int pairs = 50;
            for (int i = 0; i < pairs; i++) {
                DistributedLock lock = client.lock("notice-count-" + (i % 5));
                assertThat(lock.tryLock()).isTrue();
                lock.unlock();
                LockLease lease = client.tryAcquire("notice-count-lease").orElseThrow();
                lease.close();
            }
            assertThat(statements.get() - before)
                    .as(
                            "statements sent on every connection of the client for %d lock/unlock and %d lease pairs",
                            pairs, pairs)
                    .isEqualTo(4 * pairs);
        }
    }

    /** Waits until the client's watcher waits on its lock session's sentinel. */
    private static void awaitWatching(PostgresServer server, String instanceId) {
        await("the loss watcher of " + instanceId + " waits on its sentinel")
                .atMost(Duration.ofSeconds(20))
                .until(() -> {
                    try (Connection c = server.connect();
                            PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                                    + " WHERE application_name = ? AND wait_event_type = 'Lock'")) {
                        ps.setString(1, instanceId + " watcher");
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            return rs.getInt(1) == 1;
                        }
                    }
                });
    }

    /** A DataSource whose connections count every statement executed on them. */
    private static DataSource counting(DataSource target, AtomicInteger count) {
        return (DataSource) Proxy.newProxyInstance(
                DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class}, (p, m, args) -> {
                    Object result = invoke(target, m, args);
                    return result instanceof Connection c ? wrap(c, Connection.class, count) : result;
                });
    }

    @SuppressWarnings("unchecked")
    private static <T> T wrap(T target, Class<T> type, AtomicInteger count) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
            if (m.getName().startsWith("execute")) {
                count.incrementAndGet();
            }
            Object result = invoke(target, m, args);
            if (result instanceof PreparedStatement ps) {
                return wrap(ps, PreparedStatement.class, count);
            }
            if (result instanceof Statement st) {
                return wrap(st, Statement.class, count);
            }
            return result;
        });
    }

    private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
