package dev.baton.election;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Dropwizard Metrics is optional at run time: an elector built without a registry runs in a JVM that lacks
 * metrics-core, so nothing on its path may load a Dropwizard class.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(60)
class LeaderElectorWithoutDropwizardIT {
    private final PostgresServer server;
    private Process child;

    LeaderElectorWithoutDropwizardIT(PostgresServer server) {
        this.server = server;
    }

    @AfterEach
    void stopChild() {
        if (child != null) {
            child.destroyForcibly();
        }
    }

    @Test
    void shouldElectAndCloseWithoutMetricsCoreOnTheClasspath() throws Exception {
        String classPath = System.getProperty("java.class.path");
        String withoutDropwizard = Arrays.stream(classPath.split(File.pathSeparator))
                .filter(entry -> !entry.contains("metrics-core"))
                .collect(Collectors.joining(File.pathSeparator));
        assertThat(withoutDropwizard)
                .as("metrics-core must be on the test classpath for this test to take it away")
                .isNotEqualTo(classPath);
        String group = "nodw-" + UUID.randomUUID().toString().substring(0, 8);
        Path log = Path.of("target", "elector-children", group + ".log");
        Files.createDirectories(log.getParent());
        child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-XX:TieredStopAtLevel=1",
                        "-cp",
                        withoutDropwizard,
                        LeaderElectorChild.class.getName(),
                        server.jdbcUrl(),
                        group,
                        group + "-a")
                .redirectError(log.toFile())
                .start();

        boolean elected = false;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while (!elected && (line = out.readLine()) != null) {
                elected = line.startsWith("EVENT ELECTED");
            }
            assertThat(elected)
                    .as("child elected without metrics-core; its stderr:\n%s", Files.readString(log))
                    .isTrue();
            child.getOutputStream().close(); // the child closes its elector and exits
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child exited").isTrue();
        }
        assertThat(child.exitValue())
                .as("child exit code; its stderr:\n%s", Files.readString(log))
                .isZero();
    }
}
