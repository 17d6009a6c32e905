package dev.baton.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Many locks on one session, and the cap that protects the server's shared lock table. */
@ExtendWith(PostgresExtension.class)
@Timeout(180)
class PgLockCapacityIT {

    @Test
    void shouldHoldTenThousandLocksOnOneSessionOfAServerSizedForIt(PostgresServer shared) throws Exception {
        assumeFalse(shared.isExternal(), "needs a testkit server with a larger max_locks_per_transaction");
        try (PostgresServer big = PostgresServer.builder()
                        .setting("max_locks_per_transaction", "512")
                        .start();
                LockClient client = LockClient.builder(big.dataSource())
                        .instanceId("capacity-10k")
                        .maxKeys(10_000)
                        .build()) {
            List<DistributedLock> held = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                DistributedLock lock = client.lock(LockKey.of(1_000_000L + i));
                assertThat(lock.tryLock()).isTrue();
                held.add(lock);
            }
            assertThat(advisoryLocksOf(big, "capacity-10k")).isEqualTo(10_000);
            assertThat(held.get(9_999).isValid()).isTrue();
            held.forEach(DistributedLock::unlock);
            assertThat(advisoryLocksOf(big, "capacity-10k")).isZero();
        }
    }

    @Test
    void shouldRefuseTheKeyPastTheDefaultCapAndLeaveTheServerUsable(PostgresServer server) throws Exception {
        try (LockClient client = LockClient.builder(server.dataSource())
                .instanceId("capacity-cap")
                .build()) {
            List<DistributedLock> held = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                DistributedLock lock = client.lock(LockKey.of(2_000_000L + i));
                lock.lock();
                held.add(lock);
            }
            DistributedLock oneTooMany = client.lock(LockKey.of(2_001_000L));
            assertThatThrownBy(oneTooMany::tryLock)
                    .isInstanceOf(TooManyLocksException.class)
                    .hasMessageContaining("1000")
                    .hasMessageContaining("maxKeys");
            assertThat(held.get(0).tryLock())
                    .as("re-entry of a held key is not a new key")
                    .isTrue();
            held.get(0).unlock();
            assertThat(client.sharedLock(held.get(1).key()).tryLock())
                    .as("another mode of a held key uses no new key")
                    .isTrue();
            client.sharedLock(held.get(1).key()).unlock();
            assertThat(advisoryLocksOf(server, "capacity-cap")).isEqualTo(1_000);
            try (Connection fresh = server.connect()) {
                assertThat(fresh.isValid(5))
                        .as("new connections to the server still work")
                        .isTrue();
            }
            held.get(0).unlock();
            assertThat(oneTooMany.tryLock()).as("below the cap again").isTrue();
            oneTooMany.unlock();
            held.subList(1, held.size()).forEach(DistributedLock::unlock);
            assertThat(advisoryLocksOf(server, "capacity-cap")).isZero();
        }
    }

    /** Lock keys held by the client's sessions (objsubid 1: not the loss-watcher sentinel, which is objsubid 2). */
    static int advisoryLocksOf(PostgresServer server, String applicationName) throws SQLException {
        try (Connection c = server.connect();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a"
                                + " ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND a.application_name = ?")) {
            ps.setString(1, applicationName);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
