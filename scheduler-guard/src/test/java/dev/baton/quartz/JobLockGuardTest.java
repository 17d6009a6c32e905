package dev.baton.quartz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.lock.LockClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Builder validation: a bad configuration fails at build() with a message that says what to do. */
class JobLockGuardTest {
    private final LockClient client = LockClient.inMemory();

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void shouldRequireALedgerDataSourceWithALockClient() {
        assertThatThrownBy(() -> JobLockGuard.builder(client).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ledgerDataSource(dataSource), or withoutLedger()");
    }

    @Test
    void shouldBuildWithoutLedger() {
        JobLockGuard guard =
                JobLockGuard.builder(client).name("g").withoutLedger().build();
        assertThat(guard.getName()).isEqualTo("g");
        guard.close();
    }

    @Test
    void shouldRejectBadSettings() {
        assertThatThrownBy(() -> JobLockGuard.builder(client).ledgerTable("x; DROP TABLE y"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a plain SQL identifier");
        assertThatThrownBy(() -> JobLockGuard.builder(client).ledgerTable("a.b.c"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JobLockGuard.builder(client).name(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name");
        assertThatThrownBy(() -> JobLockGuard.builder(client).ledgerRetention(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("retention");
        assertThatThrownBy(() -> JobLockGuard.builder(client).instanceId("x"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("set it on their builder");
        assertThat(JobLockGuard.builder(client).ledgerTable("myschema.my_firings"))
                .isNotNull();
    }

    @Test
    void shouldKnowItsNameBeforeItIsRegistered() {
        try (JobLockGuard guard = JobLockGuard.builder(client).withoutLedger().build()) {
            assertThat(guard.getName()).isEqualTo("baton-job-lock-guard");
            assertThat(guard).hasToString("JobLockGuard['baton-job-lock-guard']");
        }
    }

    @Test
    void shouldRefuseASecondScheduler() throws Exception {
        org.quartz.Scheduler first = Schedulers.create("unit-first", 1);
        org.quartz.Scheduler second = Schedulers.create("unit-second", 1);
        try (JobLockGuard guard = JobLockGuard.builder(client).withoutLedger().build()) {
            guard.registerWith(first);
            assertThatThrownBy(() -> guard.registerWith(second))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("one guard per scheduler");
        } finally {
            first.shutdown();
            second.shutdown();
        }
    }
}
