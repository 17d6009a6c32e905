package dev.baton.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Connections a client gives back to the application's pool carry none of the session settings Baton changed
 * (found by review: the loss watcher's connection went back with {@code lock_timeout = 60s}).
 */
@ExtendWith(PostgresExtension.class)
@Timeout(60)
class PgPooledSettingsIT {
    private static final int POOL = 4;

    @Test
    void shouldGiveConnectionsBackToThePoolWithTheServersDefaultSettings(PostgresServer server) throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(server.jdbcUrl());
        config.setMaximumPoolSize(POOL);
        config.setPoolName("pooled-settings-it");
        String name = "pooled-settings-key";
        long key = LockKey.named(name).value();
        try (HikariDataSource pool = new HikariDataSource(config);
                Connection foreign = server.connect()) {
            try (LockClient client =
                    LockClient.builder(pool).instanceId("pooled-settings").build()) {
                try (Statement s = foreign.createStatement()) {
                    s.execute("SELECT pg_advisory_lock(" + key + ")");
                }
                // A wait on a waiter session (SET lock_timeout), beside the lock session and the loss watcher.
                CompletableFuture<Optional<LockLease>> wait = CompletableFuture.supplyAsync(() -> {
                    try {
                        return client.tryAcquire(name, Duration.ofSeconds(20));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> pool.getHikariPoolMXBean().getActiveConnections() >= 3);
                try (Statement s = foreign.createStatement()) {
                    s.execute("SELECT pg_advisory_unlock(" + key + ")");
                }
                wait.get(20, TimeUnit.SECONDS).orElseThrow().release();
            }
            List<Connection> borrowed = new ArrayList<>();
            try {
                for (int i = 0; i < POOL; i++) {
                    borrowed.add(pool.getConnection());
                }
                for (Connection c : borrowed) {
                    try (Statement s = c.createStatement();
                            ResultSet rs = s.executeQuery("SELECT current_setting('lock_timeout'),"
                                    + " current_setting('application_name'), current_setting('statement_timeout')")) {
                        rs.next();
                        assertThat(rs.getString(1)).as("lock_timeout").isEqualTo("0");
                        assertThat(rs.getString(2)).as("application_name").doesNotContain("pooled-settings");
                        assertThat(rs.getString(3)).as("statement_timeout").isEqualTo("0");
                    }
                }
            } finally {
                for (Connection c : borrowed) {
                    c.close();
                }
            }
        }
    }
}
