package dev.baton.election;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.lock.LockKey;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Settings validation; no database needed (the data source is never used). */
class LeaderElectorBuilderTest {
    private static final DataSource NO_DB = (DataSource) java.lang.reflect.Proxy.newProxyInstance(
            LeaderElectorBuilderTest.class.getClassLoader(), new Class<?>[] {DataSource.class}, (p, m, a) -> {
                throw new UnsupportedOperationException("not used");
            });

    private static LeaderElector.Builder builder() {
        return LeaderElector.builder(NO_DB, "billing");
    }

    @Nested
    class TimingContract {
        @Test
        void shouldRefuseStepDownAfterNotShorterThanServerReleaseAfter() {
            assertThatThrownBy(() -> builder()
                            .stepDownAfter(Duration.ofSeconds(10))
                            .serverReleaseAfter(Duration.ofSeconds(10))
                            .build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("stepDownAfter (10000 ms) must be shorter than serverReleaseAfter (10000 ms)")
                    .hasMessageContaining("billing");
        }

        @Test
        void shouldRefuseCheckIntervalNotShorterThanStepDownAfter() {
            assertThatThrownBy(() -> builder()
                            .checkInterval(Duration.ofSeconds(5))
                            .stepDownAfter(Duration.ofSeconds(5))
                            .build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("checkInterval");
        }

        @Test
        void shouldRefuseFractionalOrTinyServerReleaseAfter() {
            assertThatThrownBy(() -> builder().serverReleaseAfter(Duration.ofMillis(6500)))
                    .hasMessageContaining("whole seconds");
            assertThatThrownBy(() -> builder().serverReleaseAfter(Duration.ofSeconds(3)))
                    .hasMessageContaining("at least 4000 ms");
        }

        @Test
        void shouldAcceptAConsistentConfiguration() {
            LeaderElector e = builder()
                    .checkInterval(Duration.ofMillis(500))
                    .stepDownAfter(Duration.ofSeconds(3))
                    .serverReleaseAfter(Duration.ofSeconds(6))
                    .build();
            assertThat(e.group()).isEqualTo("billing");
            assertThat(e.isLeader()).isFalse();
            assertThat(e.currentTerm()).isEmpty();
            e.close();
            e.close(); // idempotent, also when never started
        }
    }

    @Nested
    class BadInput {
        @Test
        void shouldRefuseBlankGroupAndNullDataSource() {
            assertThatThrownBy(() -> LeaderElector.builder(NO_DB, " ")).hasMessageContaining("group");
            assertThatThrownBy(() -> LeaderElector.builder((DataSource) null, "g"))
                    .hasMessageContaining("dataSource");
        }

        @Test
        void shouldRefuseBadInstanceIdTableNameAndNulls() {
            assertThatThrownBy(() -> builder().instanceId("")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> builder().instanceId("x".repeat(64))).hasMessageContaining("63 bytes");
            assertThatThrownBy(() -> builder().tableName("terms; drop table x")).hasMessageContaining("identifier");
            assertThatThrownBy(() -> builder().whileLeader(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> builder().addListener(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> builder().checkInterval(Duration.ZERO)).hasMessageContaining("checkInterval");
            assertThatThrownBy(() -> builder().rejoinAfterYield(Duration.ofSeconds(-1)))
                    .hasMessageContaining("negative");
        }

        @Test
        void shouldRefuseStartAfterClose() {
            LeaderElector e = builder().build();
            e.close();
            assertThatThrownBy(e::start).isInstanceOf(IllegalStateException.class);
        }

        @Test
        void shouldRefuseNegativeAwaitTimeout() {
            LeaderElector e = builder().build();
            assertThatThrownBy(() -> e.awaitLeadership(Duration.ofSeconds(-1))).hasMessageContaining("negative");
        }
    }

    @Test
    void keyShouldBeTheNamespacedGroupName() {
        assertThat(LeaderElector.lockKey("billing")).isEqualTo(LockKey.named("baton:leader:billing"));
    }
}
