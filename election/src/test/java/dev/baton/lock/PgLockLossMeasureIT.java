package dev.baton.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.testkit.Measurements;
import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * How soon a holder is told that its lock session was terminated: {@code pg_terminate_backend} of the lock session while
 * it holds a lock, to the listener's call, over {@code -Dbaton.lossTrials} (default 100) terminations. The heartbeat is
 * a minute, so every notice comes from the loss watcher. Run with {@code -Dgroups=measure}.
 */
@Tag(Measurements.TAG)
@ExtendWith(PostgresExtension.class)
@Timeout(300)
class PgLockLossMeasureIT {

    @Test
    void lossNoticeAfterTerminate(PostgresServer server) throws Exception {
        int trials = Integer.getInteger("baton.lossTrials", 100);
        BlockingQueue<Long> told = new ArrayBlockingQueue<>(trials + 1);
        List<Double> millis = new ArrayList<>();
        try (LockClient client = LockClient.builder(server.dataSource())
                        .instanceId("loss-measure")
                        .heartbeatInterval(Duration.ofSeconds(60))
                        .lossTimeout(Duration.ofSeconds(80))
                        .serverReleaseAfter(Duration.ofSeconds(90))
                        .addListener((c, keys, reason, cause) -> told.add(System.nanoTime()))
                        .build();
                Connection observer = server.connect();
                PreparedStatement watching = observer.prepareStatement("SELECT (SELECT pid FROM pg_stat_activity WHERE"
                        + " application_name = 'loss-measure'), (SELECT count(*) FROM pg_stat_activity WHERE"
                        + " application_name = 'loss-measure watcher' AND wait_event_type = 'Lock')");
                PreparedStatement terminate = observer.prepareStatement("SELECT pg_terminate_backend(?)")) {
            for (int i = 0; i < trials; i++) {
                DistributedLock lock = client.lock("loss-measure-" + i);
                assertThat(lock.tryLock()).isTrue();
                int[] pid = new int[1];
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    try (ResultSet rs = watching.executeQuery()) {
                        rs.next();
                        pid[0] = rs.getInt(1);
                        return rs.getInt(2) == 1;
                    }
                });
                terminate.setInt(1, pid[0]);
                long start = System.nanoTime();
                try (ResultSet rs = terminate.executeQuery()) {
                    rs.next();
                    assertThat(rs.getBoolean(1)).isTrue();
                }
                Long at = told.poll(30, TimeUnit.SECONDS);
                assertThat(at).as("listener told after termination %d", i).isNotNull();
                assertThat(lock.isValid()).isFalse();
                millis.add((at - start) / 1e6);
                lock.unlock();
            }
        }
        Collections.sort(millis);
        Measurements.print(
                "lock holder told of pg_terminate_backend (loss watcher): n=%d p50=%.3f ms p99=%.3f ms max=%.3f ms"
                        + " (measured under load)",
                millis.size(),
                millis.get((int) Math.ceil(0.5 * millis.size()) - 1),
                millis.get((int) Math.ceil(0.99 * millis.size()) - 1),
                millis.get(millis.size() - 1));
    }
}
