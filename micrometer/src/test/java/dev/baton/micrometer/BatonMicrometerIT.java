package dev.baton.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.election.LeaderElector;
import dev.baton.lock.LockClient;
import dev.baton.lock.LockLease;
import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quartz.JobKey;

@ExtendWith(PostgresExtension.class)
@Timeout(60)
class BatonMicrometerIT {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void shouldTagOnlyListedLockNamesAndCountTheRestAsOther(PostgresServer pg) {
        BatonMicrometer micrometer = BatonMicrometer.builder(registry)
                .tagLockNames(List.of("mm-listed"))
                .build();
        try (LockClient client = LockClient.builder(pg.dataSource())
                        .instanceId("mm-a")
                        .metricsFactory(micrometer.lockClientMetrics())
                        .build();
                LockClient other =
                        LockClient.builder(pg.dataSource()).instanceId("mm-b").build()) {
            for (String name : List.of("mm-listed", "mm-unlisted-1", "mm-unlisted-2")) {
                client.tryAcquire(name).orElseThrow().close();
            }
            try (LockLease held = other.tryAcquire("mm-listed").orElseThrow()) {
                assertThat(client.tryAcquire("mm-listed")).isEmpty();
            }
            try (LockLease one = client.tryAcquire("mm-unlisted-1").orElseThrow()) {
                assertThat(registry.get("baton.lock.held.keys")
                                .tag("client", "mm-a")
                                .gauge()
                                .value())
                        .isEqualTo(1.0);
            }
        }
        assertThat(registry.get("baton.lock.acquired")
                        .tags("client", "mm-a", "lock", "mm-listed")
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("baton.lock.acquired")
                        .tags("client", "mm-a", "lock", "other")
                        .timer()
                        .count())
                .isEqualTo(3);
        assertThat(registry.get("baton.lock.not.acquired")
                        .tags("client", "mm-a", "lock", "mm-listed")
                        .counter()
                        .count())
                .isEqualTo(1.0);
        Set<String> lockTags = registry.getMeters().stream()
                .map(Meter::getId)
                .map(id -> id.getTag("lock"))
                .filter(t -> t != null)
                .collect(Collectors.toSet());
        assertThat(lockTags).containsExactlyInAnyOrder("mm-listed", "other");
    }

    @Test
    void shouldAddNoLockTagWhenNoNameIsListed(PostgresServer pg) {
        try (LockClient client = LockClient.builder(pg.dataSource())
                .instanceId("mm-c")
                .metricsFactory(BatonMicrometer.of(registry).lockClientMetrics())
                .build()) {
            client.tryAcquire("mm-any").orElseThrow().close();
        }
        assertThat(registry.get("baton.lock.acquired")
                        .tag("client", "mm-c")
                        .timer()
                        .getId()
                        .getTag("lock"))
                .isNull();
    }

    @Test
    void shouldRefuseTheOtherTagValueAsALockName() {
        assertThatThrownBy(() -> BatonMicrometer.builder(registry).tagLockNames(List.of("other")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rename the lock");
    }

    @Test
    void shouldReportLeadershipByGroup(PostgresServer pg) throws InterruptedException {
        try (LeaderElector elector = LeaderElector.builder(pg.dataSource(), "mm-group")
                .instanceId("mm-leader")
                .releaseWhenTaskReturns(false)
                .metricsFactory(BatonMicrometer.of(registry).electorMetrics())
                .build()) {
            elector.start();
            assertThat(elector.awaitLeadership(Duration.ofSeconds(20))).isTrue();
            assertThat(registry.get("baton.leader.leading")
                            .tag("group", "mm-group")
                            .gauge()
                            .value())
                    .isEqualTo(1.0);
            // The elector counts an election just after it wakes awaitLeadership, so the count is awaited.
            await("election counted").atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                            registry.get("baton.leader.elections")
                                    .tag("group", "mm-group")
                                    .counter()
                                    .count())
                    .isEqualTo(1.0));
            assertThat(registry.get("baton.leader.term")
                            .tag("group", "mm-group")
                            .gauge()
                            .value())
                    .isEqualTo((double) elector.currentTerm().orElseThrow());
        }
        assertThat(registry.get("baton.leader.revocations")
                        .tags("group", "mm-group", "reason", "STOPPED")
                        .counter()
                        .count())
                .isEqualTo(1.0);
        assertThat(registry.get("baton.leader.leading")
                        .tag("group", "mm-group")
                        .gauge()
                        .value())
                .isEqualTo(0.0);
    }

    @Test
    void shouldKeepItsGaugesReadableAfterAGarbageCollection(PostgresServer pg) throws InterruptedException {
        try (LockClient client = LockClient.builder(pg.dataSource())
                        .instanceId("mm-gc")
                        .metricsFactory(BatonMicrometer.of(registry).lockClientMetrics())
                        .build();
                LeaderElector elector = LeaderElector.builder(pg.dataSource(), "mm-gc-group")
                        .instanceId("mm-gc-leader")
                        .releaseWhenTaskReturns(false)
                        .metricsFactory(BatonMicrometer.of(registry).electorMetrics())
                        .build();
                LockLease held = client.tryAcquire("mm-gc-held").orElseThrow()) {
            elector.start();
            assertThat(elector.awaitLeadership(Duration.ofSeconds(20))).isTrue();
            // Micrometer holds a gauge's object weakly unless told otherwise: collect until a weak sentinel is gone.
            java.lang.ref.WeakReference<Object> sentinel = new java.lang.ref.WeakReference<>(new Object());
            await("a garbage collection").atMost(Duration.ofSeconds(20)).until(() -> {
                System.gc();
                return sentinel.get() == null;
            });
            assertThat(registry.get("baton.lock.held.keys")
                            .tag("client", "mm-gc")
                            .gauge()
                            .value())
                    .isEqualTo(1.0);
            assertThat(registry.get("baton.leader.leading")
                            .tag("group", "mm-gc-group")
                            .gauge()
                            .value())
                    .isEqualTo(1.0);
            assertThat(registry.get("baton.leader.term")
                            .tag("group", "mm-gc-group")
                            .gauge()
                            .value())
                    .isEqualTo((double) elector.currentTerm().orElseThrow());
        }
    }

    @Test
    void shouldCountGuardFiringsByJobAndOutcome() {
        var jobs = BatonMicrometer.of(registry).jobMetrics();
        JobKey key = JobKey.jobKey("report", "nightly");
        jobs.executed(key, 5_000_000);
        jobs.vetoedLocked(key);
        jobs.vetoedLocked(key);
        assertThat(registry.get("baton.quartz.firings")
                        .tags("job", "nightly.report", "outcome", "executed")
                        .counter()
                        .count())
                .isEqualTo(1.0);
        assertThat(registry.get("baton.quartz.firings")
                        .tags("job", "nightly.report", "outcome", "vetoed-locked")
                        .counter()
                        .count())
                .isEqualTo(2.0);
        assertThat(Optional.ofNullable(registry.find("baton.quartz.run").timer())
                        .map(t -> t.count()))
                .contains(1L);
    }
}
