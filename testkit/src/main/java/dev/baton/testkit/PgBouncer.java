package dev.baton.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * A throwaway PgBouncer in front of a test-owned {@link PostgresServer}, on a free loopback port, in a pool mode of
 * the test's choosing: to prove that a client refuses a transaction-mode pooler and works through a session-mode one.
 * Runs as {@code postgres} when the JVM is root (PgBouncer refuses root). Not thread-safe; close it after the test.
 */
public final class PgBouncer implements AutoCloseable {
    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(15);

    private final Process process;
    private final int port;
    private final Path dir;

    private PgBouncer(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /**
     * Starts PgBouncer for {@code server} in {@code poolMode} ({@code session}, {@code transaction} or
     * {@code statement}); empty if PgBouncer is not installed or the server is external (tests then skip).
     *
     * @throws IllegalStateException if PgBouncer exits or does not listen within 15 s, with its log
     */
    public static Optional<PgBouncer> start(PostgresServer server, String poolMode) throws IOException {
        Path binary = Stream.of("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer", "/usr/local/bin/pgbouncer")
                .map(Path::of)
                .filter(Files::isExecutable)
                .findFirst()
                .orElse(null);
        if (binary == null || server.isExternal()) {
            return Optional.empty();
        }
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
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.add(binary.toString());
        command.add(dir.resolve("pgbouncer.ini").toString());
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .start();
        PgBouncer bouncer = new PgBouncer(process, port, dir);
        bouncer.awaitListening();
        return Optional.of(bouncer);
    }

    /** The port it listens on (127.0.0.1). */
    public int port() {
        return port;
    }

    /**
     * A JDBC URL through it to database {@code postgres} as {@code postgres}, with {@code prepareThreshold=0} (no named
     * server-side statements, which a transaction pooler cannot route).
     */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres&prepareThreshold=0";
    }

    /** Stops PgBouncer (also when a runuser wrapper started it: its children first) and waits for it. */
    @Override
    public void close() {
        process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitListening() throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        while (true) {
            if (!process.isAlive()) {
                close();
                throw new IllegalStateException("pgbouncer exited: " + Files.readString(dir.resolve("stdout.log")));
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() - deadline > 0) {
                    close();
                    throw new IllegalStateException(
                            "pgbouncer did not listen on " + port + " within 15 s (logs in " + dir + ")", notYet);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // a child process starting: poll, bounded
            }
        }
    }
}
