package dev.baton.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A lock granted after a native wait longer than {@code lossTimeout} is a good hold: the wait's send time is not the
 * last time the server heard from the session (found by review: the watchdog declared such a hold in doubt at once).
 */
@ExtendWith(PostgresExtension.class)
@Timeout(60)
class PgLockLongWaitIT {

    @Test
    void shouldKeepAHoldGrantedAfterAWaitLongerThanTheLossTimeout(PostgresServer server) throws Exception {
        String name = "long-wait-key";
        long key = LockKey.named(name).value();
        List<Object> losses = new CopyOnWriteArrayList<>();
        Duration lossTimeout = Duration.ofMillis(800);
        try (Connection foreign = server.connect();
                Connection observer = server.connect();
                LockClient client = LockClient.builder(server.dataSource())
                        .instanceId("long-wait")
                        .heartbeatInterval(Duration.ofMillis(200))
                        .lossTimeout(lossTimeout)
                        .serverReleaseAfter(Duration.ofSeconds(4))
                        .addListener((c, keys, reason, cause) -> losses.add(reason))
                        .build()) {
            try (Statement s = foreign.createStatement()) {
                s.execute("SELECT pg_advisory_lock(" + key + ")");
            }
            CompletableFuture<Optional<LockLease>> wait = CompletableFuture.supplyAsync(() -> {
                try {
                    return client.tryAcquire(name, Duration.ofSeconds(20));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            await("the client waits on the server")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> waiting(observer, key));
            await("the wait outlasts lossTimeout")
                    .during(lossTimeout.multipliedBy(2))
                    .atMost(lossTimeout.multipliedBy(6))
                    .until(() -> waiting(observer, key));
            try (Statement s = foreign.createStatement()) {
                s.execute("SELECT pg_advisory_unlock(" + key + ")");
            }
            try (LockLease lease = wait.get(20, TimeUnit.SECONDS).orElseThrow()) {
                await("the hold stays valid across many watchdog ticks")
                        .during(lossTimeout)
                        .atMost(lossTimeout.multipliedBy(4))
                        .until(lease::isValid);
                assertThat(losses).as("no loss reported").isEmpty();
            }
        }
    }

    private static boolean waiting(Connection observer, long key) throws Exception {
        try (PreparedStatement ps =
                observer.prepareStatement("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                        + " AND NOT granted AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = ?")) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) == 1;
            }
        }
    }
}
