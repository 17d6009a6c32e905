package dev.baton.election;

import static dev.baton.election.LeadershipRecorder.electedAfter;
import static dev.baton.election.LeadershipRecorder.revoked;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.baton.BatonException;
import dev.baton.testkit.PostgresServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Scenarios that restart a server or need a standby: they run on a private server, never the shared one. */
@Timeout(120)
class LeaderElectorServerIT {
    private static PostgresServer server;

    private final List<LeaderElector> electors = new ArrayList<>();
    private final LeadershipRecorder recorder = new LeadershipRecorder();

    @BeforeAll
    static void startPrivateServer() {
        assumeThat(PostgresServer.shared().isExternal())
                .as("server restart and standby need a server owned by the test; BATON_TEST_JDBC_URL is set")
                .isFalse();
        server = PostgresServer.builder().start();
    }

    @AfterAll
    static void stopPrivateServer() {
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void closeAll() {
        electors.forEach(LeaderElector::close);
    }

    private LeaderElector started(PostgresServer on, String group, String id) {
        LeaderElector e = LeaderElector.builder(on.dataSource(), group)
                .instanceId(group + "-" + id)
                .addListener(recorder)
                .maxReconnectBackoff(Duration.ofMillis(200))
                .build();
        electors.add(e);
        e.start();
        return e;
    }

    @Test
    void shouldRevokeEveryoneOnServerRestartAndReElectWithAHigherTerm() {
        List<LeaderElector> es = List.of(
                started(server, "restart", "a"), started(server, "restart", "b"), started(server, "restart", "c"));
        LeadershipEvent elected = recorder.awaitEvent("a leader", electedAfter(0));
        for (int i = 0; i < 2; i++) {
            long term = elected.term();

            server.restart();

            LeadershipEvent lost = recorder.awaitEvent("leader revoked", revoked(elected.instanceId(), term));
            assertThat(lost.reason()).isEqualTo(LeadershipEvent.Reason.CONNECTION_LOST);
            // No ordering of `lost` before `next` here: the server ends the leader's session itself and frees the
            // lock at once, so a successor can be granted a fraction of a millisecond before the old leader has read
            // the news from its socket (seen once, by 0.4 ms, when the successor was elected during the shutdown).
            // That is what the fencing term is for, and it must rise.
            LeadershipEvent next = recorder.awaitEvent("re-elected after restart", electedAfter(term));
            assertThat(next.term()).isGreaterThan(lost.term());
            elected = next;
        }
        await("exactly one leader")
                .atMost(Duration.ofSeconds(20))
                .until(() -> es.stream().filter(LeaderElector::isLeader).count() == 1);
        List<Long> terms =
                recorder.elected().stream().map(LeadershipEvent::term).collect(java.util.stream.Collectors.toList());
        assertThat(terms).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void shouldRefuseToRunOnAHotStandby() {
        try (PostgresServer standby = server.startStandby()) {
            LeaderElector onStandby = LeaderElector.builder(standby.dataSource(), "standby")
                    .instanceId("on-standby")
                    .addListener(recorder)
                    .build();
            electors.add(onStandby);

            assertThatThrownBy(onStandby::start)
                    .isInstanceOf(BatonException.class)
                    .hasMessageContaining("hot standby")
                    .hasMessageContaining("pg_is_in_recovery() = true")
                    .hasMessageContaining("advisory locks are never replicated");
            assertThat(onStandby.isLeader()).isFalse();
            assertThat(recorder.events()).isEmpty();
        }
    }
}
