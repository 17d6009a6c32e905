package dev.baton.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** A pooled connection must never carry a client's advisory locks to the next borrower. */
@ExtendWith(PostgresExtension.class)
@Timeout(60)
class PgLockPoolingIT {

    private static HikariDataSource pool(PostgresServer server) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(server.jdbcUrl());
        config.setMaximumPoolSize(1); // the next borrower gets the very connection the client used
        config.setPoolName("pooling-it");
        return new HikariDataSource(config);
    }

    @Test
    void shouldLeaveNoLockOnTheConnectionTheNextBorrowerGets(PostgresServer server) throws Exception {
        try (HikariDataSource pool = pool(server)) {
            int clientPid;
            LockClient client =
                    LockClient.builder(pool).instanceId("pooling-close").build();
            client.lock("pooled-1").lock();
            client.sharedLock("pooled-2").lock();
            client.lock("pooled-1").lock(); // stacked
            clientPid = client.holder("pooled-1").orElseThrow().pid();
            client.close(); // while holding: the client must clean the connection before it goes back

            try (Connection next = pool.getConnection();
                    Statement st = next.createStatement();
                    ResultSet rs = st.executeQuery("SELECT pg_backend_pid(), (SELECT count(*) FROM pg_locks WHERE"
                            + " locktype = 'advisory' AND pid = pg_backend_pid())")) {
                rs.next();
                assertThat(rs.getInt(1)).as("same physical connection").isEqualTo(clientPid);
                assertThat(rs.getInt(2))
                        .as("advisory locks inherited by the next borrower")
                        .isZero();
            }
        }
    }

    @Test
    void shouldEvictAConnectionWhoseSessionDiedAndReconnectThroughThePool(PostgresServer server) throws Exception {
        CountDownLatch lost = new CountDownLatch(1);
        try (HikariDataSource pool = pool(server);
                LockClient client = LockClient.builder(pool)
                        .instanceId("pooling-evict")
                        .heartbeatInterval(Duration.ofMillis(100))
                        .addListener((c, keys, reason, cause) -> lost.countDown())
                        .build()) {
            client.lock("pooled-evict").lock();
            int deadPid = client.holder("pooled-evict").orElseThrow().pid();
            assertThat(server.terminate("pooling-evict")).isEqualTo(1);
            assertThat(lost.await(20, TimeUnit.SECONDS)).as("loss noticed").isTrue();

            // The dead connection was evicted, not handed back: the pool (size 1) gives the client a live one.
            assertThat(client.lock("pooled-evict-2").tryLock()).isTrue();
            assertThat(client.holder("pooled-evict-2").orElseThrow().pid()).isNotEqualTo(deadPid);
            client.lock("pooled-evict-2").unlock();
            client.lock("pooled-evict").unlock();
        }
    }

    @Test
    void shouldHandAConnectionWhoseSessionDiedToTheUsersEviction(PostgresServer server) throws Exception {
        CountDownLatch lost = new CountDownLatch(1);
        List<Connection> evicted = new CopyOnWriteArrayList<>();
        try (LockClient client = LockClient.builder(server.dataSource())
                .instanceId("pooling-user-evict")
                .heartbeatInterval(Duration.ofMillis(100))
                .poolEviction(evicted::add)
                .addListener((c, keys, reason, cause) -> lost.countDown())
                .build()) {
            client.lock("pooled-user-evict").lock();
            assertThat(server.terminate("pooling-user-evict")).isEqualTo(1);
            assertThat(lost.await(20, TimeUnit.SECONDS)).as("loss noticed").isTrue();
            assertThat(evicted)
                    .as("the dead session's connection, given to the pool's eviction")
                    .hasSize(1);
            client.lock("pooled-user-evict").unlock();
        }
    }

    @Test
    void shouldRefusePoolEvictionForAJdbcUrl(PostgresServer server) {
        assertThatThrownBy(() ->
                        LockClient.builder(server.jdbcUrl(), new Properties()).poolEviction(c -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DataSource");
    }

    @Test
    void shouldOpenPhysicalConnectionsFromAJdbcUrl(PostgresServer server) throws Exception {
        try (LockClient client = LockClient.builder(server.jdbcUrl(), new Properties())
                .instanceId("pooling-url")
                .build()) {
            assertThat(client.lock("url-1").tryLock()).isTrue();
            assertThat(client.holder("url-1").orElseThrow().applicationName()).isEqualTo("pooling-url");
            client.lock("url-1").unlock();
        }
    }
}
