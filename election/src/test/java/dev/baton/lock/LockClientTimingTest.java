package dev.baton.lock;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The builder enforces the lock timing contract and names the settings and the fix. */
class LockClientTimingTest {
    private static LockClient.Builder builder() {
        return LockClient.builder("jdbc:postgresql://127.0.0.1:1/none", new Properties());
    }

    @Test
    void shouldRefuseALossTimeoutNotShorterThanServerReleaseAfter() {
        assertThatThrownBy(() -> builder()
                        .lossTimeout(Duration.ofSeconds(10))
                        .serverReleaseAfter(Duration.ofSeconds(10))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lossTimeout (10000 ms)")
                .hasMessageContaining("serverReleaseAfter (10000 ms)")
                .hasMessageContaining("Lower lossTimeout or raise serverReleaseAfter");
        assertThatThrownBy(() -> builder()
                        .lossTimeout(Duration.ofMillis(3960))
                        .serverReleaseAfter(Duration.ofSeconds(4))
                        .build())
                .as("the watchdog tick counts")
                .hasMessageContaining("watchdog tick");
    }

    @Test
    void shouldRefuseAHeartbeatNotShorterThanLossTimeout() {
        assertThatThrownBy(() -> builder()
                        .heartbeatInterval(Duration.ofSeconds(5))
                        .lossTimeout(Duration.ofSeconds(5))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("heartbeatInterval (5000 ms)")
                .hasMessageContaining("lossTimeout (5000 ms)");
    }

    @Test
    void shouldRefuseServerReleaseAfterThatTcpCannotExpress() {
        assertThatThrownBy(() -> builder().serverReleaseAfter(Duration.ofMillis(4500)))
                .hasMessageContaining("whole seconds");
        assertThatThrownBy(() -> builder().serverReleaseAfter(Duration.ofSeconds(3)))
                .hasMessageContaining("at least 4000 ms");
        assertThatThrownBy(() -> builder().lossTimeout(Duration.ofMillis(50))).hasMessageContaining("at least 100 ms");
    }
}
