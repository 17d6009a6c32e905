package dev.baton.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link LockClient#heldLocks()} and {@link LockClient#sessionPid()}: the read-only view health checks use. */
@ExtendWith(PostgresExtension.class)
@Timeout(60)
class PgHeldLocksIT {

    @Test
    void shouldListEachHeldKeyPerModeWithItsHoldersAndName(PostgresServer pg) {
        try (LockClient client =
                LockClient.builder(pg.dataSource()).instanceId("held-a").build()) {
            assertThat(client.sessionPid()).as("no session before first use").isEmpty();
            DistributedLock exclusive = client.lock("held-exclusive");
            exclusive.lock();
            exclusive.lock(); // re-entrant: still one holder
            try (LockLease s1 = client.tryAcquireShared("held-shared").orElseThrow();
                    LockLease s2 = client.tryAcquireShared("held-shared").orElseThrow();
                    LockLease raw = client.tryAcquire(LockKey.of(42)).orElseThrow()) {
                List<HeldLock> held = client.heldLocks();
                assertThat(held).hasSize(3);
                assertThat(held)
                        .filteredOn(h -> h.key().equals(LockKey.named("held-exclusive")))
                        .singleElement()
                        .satisfies(h -> {
                            assertThat(h.mode()).isEqualTo(LockMode.EXCLUSIVE);
                            assertThat(h.holders()).isEqualTo(1);
                            assertThat(h.key().name()).contains("held-exclusive");
                            assertThat(h.valid()).isTrue();
                        });
                assertThat(held)
                        .filteredOn(h -> h.key().equals(LockKey.named("held-shared")))
                        .singleElement()
                        .satisfies(h -> {
                            assertThat(h.mode()).isEqualTo(LockMode.SHARED);
                            assertThat(h.holders()).isEqualTo(2);
                        });
                assertThat(held)
                        .filteredOn(h -> h.key().value() == 42)
                        .singleElement()
                        .satisfies(h -> assertThat(h.key().name()).isEmpty());
                assertThat(held).extracting(h -> h.key().value()).isSorted();
                int pid = client.sessionPid().orElseThrow();
                assertThat(client.holders(LockKey.of(42)))
                        .extracting(LockHolder::pid)
                        .contains(pid);
            } finally {
                exclusive.unlock();
                exclusive.unlock();
            }
            assertThat(client.heldLocks()).isEmpty();
        }
    }

    @Test
    void shouldRefuseHeldLocksAfterCloseAndForgetThePid(PostgresServer pg) {
        LockClient client =
                LockClient.builder(pg.dataSource()).instanceId("held-b").build();
        client.tryAcquire("held-closed").orElseThrow().close();
        assertThat(client.sessionPid()).isPresent();
        client.close();
        assertThat(client.sessionPid()).isEmpty();
        assertThatThrownBy(client::heldLocks).isInstanceOf(IllegalStateException.class);
    }
}
