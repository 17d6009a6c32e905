package dev.baton.election;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.baton.BatonException;
import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
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
    private Process bouncer;

    LeaderElectorPoolerIT(PostgresServer server) {
        this.server = server;
    }

    @AfterEach
    void stop() {
        electors.forEach(LeaderElector::close);
        if (bouncer != null) {
            bouncer.destroyForcibly();
        }
    }

    @Test
    void shouldRefuseToStartBehindATransactionModePooler() throws Exception {
        int port = startPgBouncer("transaction");
        LeaderElector e = LeaderElector.builder(url(port), new Properties(), "pooled")
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
        int port = startPgBouncer("session");
        LeaderElector e = LeaderElector.builder(url(port), new Properties(), "pooled-session")
                .instanceId("behind-session-pgbouncer")
                .build();
        electors.add(e);
        e.start();
        assertThat(e.awaitLeadership(Duration.ofSeconds(20))).isTrue();
    }

    private static String url(int port) {
        // prepareThreshold=0: no named server-side statements, which a transaction pooler cannot route
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres&prepareThreshold=0";
    }

    private int startPgBouncer(String poolMode) throws IOException {
        assumeThat(server.isExternal())
                .as("PgBouncer test needs the test-owned server")
                .isFalse();
        Path binary = Stream.of("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer", "/usr/local/bin/pgbouncer")
                .map(Path::of)
                .filter(Files::isExecutable)
                .findFirst()
                .orElse(null);
        assumeThat(binary)
                .as("pgbouncer is not installed (apt-get install -y pgbouncer; .ci/run does it): pooler test skipped")
                .isNotNull();
        Path dir = Files.createTempDirectory("baton-pgbouncer-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("users.txt"), "\"postgres\" \"\"\n");
        Files.writeString(
                dir.resolve("pgbouncer.ini"),
                String.join(
                        "\n",
                        "[databases]",
                        "postgres = host=127.0.0.1 port=" + server.port() + " dbname=postgres user=postgres",
                        "[pgbouncer]",
                        "listen_addr = 127.0.0.1",
                        "listen_port = " + port,
                        "unix_socket_dir =",
                        "auth_type = trust",
                        "auth_file = " + dir.resolve("users.txt"),
                        "pool_mode = " + poolMode,
                        "ignore_startup_parameters = extra_float_digits",
                        "logfile = " + dir.resolve("pgbouncer.log"),
                        "pidfile = " + dir.resolve("pgbouncer.pid"),
                        ""));
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("runuser", "-u", "postgres", "--")); // pgbouncer refuses to run as root
        }
        command.add(binary.toString());
        command.add(dir.resolve("pgbouncer.ini").toString());
        bouncer = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .start();
        int listen = port;
        await("pgbouncer listening on " + port + " (logs in " + dir + ")")
                .atMost(Duration.ofSeconds(15))
                .until(() -> {
                    if (!bouncer.isAlive()) {
                        throw new IllegalStateException(
                                "pgbouncer exited: " + Files.readString(dir.resolve("stdout.log")));
                    }
                    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), listen)) {
                        return true;
                    } catch (IOException notYet) {
                        return false;
                    }
                });
        return port;
    }
}
