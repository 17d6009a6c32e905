package dev.baton.election;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** An elector whose session is borrowed from a HikariCP pool gives it back without its lock. */
@ExtendWith(PostgresExtension.class)
@Timeout(60)
class LeaderElectorPoolIT {
    private final PostgresServer server;

    LeaderElectorPoolIT(PostgresServer server) {
        this.server = server;
    }

    @Test
    void shouldLeadOnAPooledConnectionAndReturnItWithoutTheLock() throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(server.jdbcUrl());
        config.setMaximumPoolSize(2);
        String group = "pool-" + UUID.randomUUID().toString().substring(0, 8);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            LeaderElector e =
                    LeaderElector.builder(pool, group).instanceId(group).build();
            e.start();
            assertThat(e.awaitLeadership(Duration.ofSeconds(20))).isTrue();
            e.close();

            await("elector's connection back in the pool")
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> pool.getHikariPoolMXBean().getActiveConnections() == 0);
            for (int i = 0; i < 2; i++) {
                try (Connection c = pool.getConnection();
                        Statement st = c.createStatement();
                        ResultSet rs = st.executeQuery(
                                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")) {
                    rs.next();
                    assertThat(rs.getInt(1))
                            .as("advisory locks left on a pooled connection")
                            .isZero();
                }
            }
        }
    }

    @Test
    void shouldHandASessionInDoubtToTheUsersPoolEviction() throws Exception {
        String group = "evict-" + UUID.randomUUID().toString().substring(0, 8);
        List<Connection> evicted = new CopyOnWriteArrayList<>();
        try (LeaderElector e = LeaderElector.builder(server.dataSource(), group)
                .instanceId(group)
                .poolEviction(evicted::add)
                .build()) {
            e.start();
            assertThat(e.awaitLeadership(Duration.ofSeconds(20))).isTrue();
            assertThat(server.terminate(group)).isEqualTo(1);
            await("the terminated session handed to the pool's eviction")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> !evicted.isEmpty());
        }
    }

    @Test
    void shouldRefusePoolEvictionForAJdbcUrl() {
        assertThatThrownBy(() -> LeaderElector.builder(server.jdbcUrl(), new Properties(), "g")
                        .poolEviction(c -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DataSource");
    }
}
