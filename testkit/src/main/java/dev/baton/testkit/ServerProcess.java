package dev.baton.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PostgreSQL data directory in a temporary folder and the server process on it, driven by {@code initdb},
 * {@code pg_ctl} and {@code pg_basebackup}. Failures carry the server log's tail. Not thread-safe: the owning
 * {@link PostgresServer} serialises calls.
 */
final class ServerProcess {
    private static final Logger log = LoggerFactory.getLogger(ServerProcess.class);

    final Path binDir;
    final Path root;
    final Path dataDir;
    final Path logFile;
    final int port;
    private final Commands commands;
    private final Map<String, String> settings;
    private final List<String> hbaLines;

    private ServerProcess(
            Path binDir, Path root, Commands commands, Map<String, String> settings, List<String> hbaLines, int port) {
        this.binDir = binDir;
        this.root = root;
        this.dataDir = root.resolve("data");
        this.logFile = root.resolve("server.log");
        this.commands = commands;
        this.settings = Map.copyOf(settings);
        this.hbaLines = List.copyOf(hbaLines);
        this.port = port;
    }

    /** A new, empty directory on a free port; nothing runs yet. */
    static ServerProcess allocate(Path binDir, Commands commands, Map<String, String> settings, List<String> hbaLines) {
        return new ServerProcess(binDir, newRoot(), commands, settings, hbaLines, freePort());
    }

    /** Runs initdb (trust authentication, superuser {@code postgres}) and appends the settings to the config. */
    void initdb() {
        try {
            commands.handOver(root);
            commands.run(
                    List.of(
                            binDir.resolve("initdb").toString(),
                            "-D",
                            dataDir.toString(),
                            "-U",
                            "postgres",
                            "--auth=trust",
                            "-E",
                            "UTF8",
                            "--no-sync"),
                    120);
            StringBuilder conf = new StringBuilder("\n# baton testkit\n");
            settings.forEach((k, v) -> conf.append(k).append(" = '").append(v).append("'\n"));
            Files.writeString(
                    dataDir.resolve("postgresql.conf"),
                    conf.toString(),
                    StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
            if (!hbaLines.isEmpty()) {
                Files.writeString(
                        dataDir.resolve("pg_hba.conf"),
                        "\n# baton testkit\n" + String.join("\n", hbaLines) + "\n",
                        StandardCharsets.UTF_8,
                        StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            throw new IllegalStateException("initdb failed in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /** Starts the server and waits until it accepts connections; fails with the server log's tail. */
    void start() {
        try {
            // -k: the socket directory follows the data directory (a standby inherits the primary's config file).
            pgCtl("start", "-l", logFile.toString(), "-o", "-p " + port + " -k " + root);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(
                    e.getMessage() + System.lineSeparator() + "Server log tail (" + logFile + "):"
                            + System.lineSeparator() + logTail(),
                    e.getCause());
        }
        log.info("PostgreSQL started on 127.0.0.1:{} (binaries {}, data {})", port, binDir, dataDir);
    }

    /** Stops the server: {@code fast} disconnects sessions cleanly, {@code immediate} is a crash-like stop. */
    void stop(String mode) {
        pgCtl("stop", "-m", mode);
    }

    /** A hot standby of this (running) server in a new directory on a new port, not yet started. */
    ServerProcess baseBackup() {
        Path basebackup = clientTool("pg_basebackup");
        if (basebackup == null) {
            throw new IllegalStateException("pg_basebackup not found in " + binDir + "; a standby needs it");
        }
        ServerProcess standby = new ServerProcess(binDir, newRoot(), commands, settings, hbaLines, freePort());
        try {
            commands.handOver(standby.root); // pg_basebackup runs as the server user and writes there
            commands.run(
                    List.of(
                            basebackup.toString(),
                            "-h",
                            "127.0.0.1",
                            "-p",
                            Integer.toString(port),
                            "-U",
                            "postgres",
                            "-D",
                            standby.dataDir.toString(),
                            "-R",
                            "-X",
                            "stream",
                            "-c",
                            "fast"),
                    120);
        } catch (IOException e) {
            throw new IllegalStateException("pg_basebackup from port " + port + " failed: " + e.getMessage(), e);
        }
        return standby;
    }

    /** Deletes the directory (the server must be stopped). */
    void delete() {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("Could not delete {}: {}", root, e.getMessage());
        }
    }

    /**
     * A client tool next to the server binaries, also when {@code binDir} holds only symlinks to them (as
     * {@code /usr/local/bin} does on some images): then the tool is looked up beside the real {@code pg_ctl}.
     */
    private Path clientTool(String name) {
        Path direct = binDir.resolve(name);
        if (Files.isExecutable(direct)) {
            return direct;
        }
        try {
            Path real = binDir.resolve("pg_ctl").toRealPath().getParent().resolve(name);
            return Files.isExecutable(real) ? real : null;
        } catch (IOException e) {
            return null;
        }
    }

    private void pgCtl(String action, String... args) {
        List<String> command = new ArrayList<>(
                List.of(binDir.resolve("pg_ctl").toString(), action, "-D", dataDir.toString(), "-w", "-t", "60"));
        command.addAll(List.of(args));
        try {
            commands.run(command, 90);
        } catch (IOException e) {
            throw new IllegalStateException("pg_ctl " + action + " failed for port " + port + ": " + e.getMessage(), e);
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join(System.lineSeparator(), lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static Path newRoot() {
        try {
            return Files.createTempDirectory("baton-pg-");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create a temporary directory for PostgreSQL", e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free loopback port", e);
        }
    }
}
