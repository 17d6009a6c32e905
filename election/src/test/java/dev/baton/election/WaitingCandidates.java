package dev.baton.election;

import static org.awaitility.Awaitility.await;

import dev.baton.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** Test helper: a hand-over is measured from a ready candidate, not from one that is still reconnecting. */
final class WaitingCandidates {
    private WaitingCandidates() {}

    /** Waits until one of {@code es} leads and every other one's session is blocked in {@code pg_advisory_lock}. */
    static LeaderElector leaderOf(PostgresServer server, List<LeaderElector> es) {
        await("one leader")
                .atMost(Duration.ofSeconds(20))
                .until(() -> es.stream().filter(LeaderElector::isLeader).count() == 1);
        LeaderElector leader =
                es.stream().filter(LeaderElector::isLeader).findFirst().orElseThrow();
        List<String> candidates = es.stream()
                .filter(e -> e != leader)
                .map(LeaderElector::instanceId)
                .collect(Collectors.toList());
        await("candidates waiting on the lock").atMost(Duration.ofSeconds(30)).until(() -> {
            try (Connection c = server.connect();
                    PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                            + " WHERE application_name = ANY (?) AND wait_event = 'advisory'")) {
                ps.setArray(1, c.createArrayOf("text", candidates.toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1) == candidates.size();
                }
            }
        });
        return leader;
    }
}
