package dev.baton.election;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.baton.BatonException;
import dev.baton.testkit.PgBouncer;
import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a real PgBouncer (Debian's package; {@code .ci/run} installs it) in front of the test server. Skipped, with a
 * message, when PgBouncer is not installed or the server is external.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(60)
class LeaderElectorPoolerIT {
    private final PostgresServer server;
    private final List<LeaderElector> electors = new ArrayList<>();
    private PgBouncer bouncer;

    LeaderElectorPoolerIT(PostgresServer server) {
        this.server = server;
    }

    @AfterEach
    void stop() {
        electors.forEach(LeaderElector::close);
        if (bouncer != null) {
            bouncer.close();
        }
    }

    @Test
    void shouldRefuseToStartBehindATransactionModePooler() throws Exception {
        LeaderElector e = LeaderElector.builder(start("transaction"), new Properties(), "pooled")
                .instanceId("behind-pgbouncer")
                .build();
        electors.add(e);

        assertThatThrownBy(e::start)
                .isInstanceOf(BatonException.class)
                .hasMessageContaining("transaction- or statement-mode connection pooler")
                .hasMessageContaining("session-level advisory lock stays on whichever server backend");
        assertThat(e.isLeader()).isFalse();
    }

    @Test
    void shouldLeadThroughASessionModePooler() throws Exception {
        LeaderElector e = LeaderElector.builder(start("session"), new Properties(), "pooled-session")
                .instanceId("behind-session-pgbouncer")
                .build();
        electors.add(e);
        e.start();
        assertThat(e.awaitLeadership(Duration.ofSeconds(20))).isTrue();
    }

    private String start(String poolMode) throws IOException {
        PgBouncer b = PgBouncer.start(server, poolMode).orElse(null);
        assumeThat(b)
                .as("pgbouncer is not installed (apt-get install -y pgbouncer; .ci/run does it), or the server is"
                        + " external: pooler test skipped")
                .isNotNull();
        bouncer = b;
        return b.jdbcUrl();
    }
}
