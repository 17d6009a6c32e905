package dev.baton.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.baton.BatonException;
import dev.baton.testkit.PgBouncer;
import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A lock client refuses what cannot hold a lock, when its session opens: a hot standby (advisory locks are not
 * replicated) and a transaction-mode pooler (each statement may run on another backend). Issue 11, item 5.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(120)
class PgLockRefusalIT {

    @Test
    void shouldRefuseAHotStandby(PostgresServer server) {
        assumeThat(server.isExternal())
                .as("a standby needs the test-owned server")
                .isFalse();
        try (PostgresServer standby = server.startStandby();
                LockClient client = LockClient.builder(standby.dataSource())
                        .instanceId("lock-on-standby")
                        .build()) {
            assertThatThrownBy(() -> client.lock("refused-on-standby").tryLock())
                    .isInstanceOf(BatonException.class)
                    .hasMessageContaining("hot standby")
                    .hasMessageContaining("pg_is_in_recovery() = true")
                    .hasMessageContaining("advisory locks are never replicated");
            assertThat(client.lock("refused-on-standby").isHeldByCurrentThread())
                    .isFalse();
        }
    }

    @Test
    void shouldRefuseATransactionModePooler(PostgresServer server) throws Exception {
        try (PgBouncer bouncer = bouncer(server, "transaction");
                LockClient client = LockClient.builder(bouncer.jdbcUrl(), new Properties())
                        .instanceId("lock-behind-pgbouncer")
                        .build()) {
            assertThatThrownBy(() -> client.lock("refused-behind-pooler").tryLock())
                    .isInstanceOf(BatonException.class)
                    .hasMessageContaining("transaction- or statement-mode connection pooler")
                    .hasMessageContaining("session-level advisory lock stays on whichever server backend");
        }
    }

    @Test
    void shouldLockThroughASessionModePooler(PostgresServer server) throws Exception {
        try (PgBouncer bouncer = bouncer(server, "session");
                LockClient client = LockClient.builder(bouncer.jdbcUrl(), new Properties())
                        .instanceId("lock-behind-session-pgbouncer")
                        .build()) {
            DistributedLock lock = client.lock("through-session-pooler");
            assertThat(lock.tryLock()).isTrue();
            assertThat(lock.isValid()).isTrue();
            lock.unlock();
        }
    }

    private static PgBouncer bouncer(PostgresServer server, String mode) throws Exception {
        PgBouncer bouncer = PgBouncer.start(server, mode).orElse(null);
        assumeThat(bouncer)
                .as("pgbouncer is not installed (apt-get install -y pgbouncer; .ci/run does it), or the server is"
                        + " external: pooler test skipped")
                .isNotNull();
        return bouncer;
    }
}
