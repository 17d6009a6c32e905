package dev.baton.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs PostgreSQL's command-line tools, as an unprivileged user when this JVM runs as root
 * (initdb and postgres refuse to run as root).
 */
final class Commands {
    private final String runAsUser; // null: run as ourselves

    private Commands(String runAsUser) {
        this.runAsUser = runAsUser;
    }

    static Commands forCurrentUser() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return new Commands(null);
        }
        String configured = System.getenv("BATON_PG_USER");
        if (configured != null && !configured.isBlank()) {
            return new Commands(configured);
        }
        return new Commands(userExists("postgres") ? "postgres" : "nobody");
    }

    /** Gives the server user ownership of {@code dir} (only needed when we switch user). */
    void handOver(Path dir) throws IOException {
        if (runAsUser != null) {
            run(List.of("chown", "-R", runAsUser, dir.toString()), false, 60);
        }
    }

    /** Runs a command as this JVM's user (e.g. {@code ip} as root); output and failures as {@link #run}. */
    static String runAsSelf(List<String> command, long timeoutSeconds) throws IOException {
        return new Commands(null).run(command, false, timeoutSeconds);
    }

    /** Runs a command to completion and returns its combined output; fails with that output on a non-zero exit. */
    String run(List<String> command, long timeoutSeconds) throws IOException {
        return run(command, true, timeoutSeconds);
    }

    private String run(List<String> command, boolean asServerUser, long timeoutSeconds) throws IOException {
        List<String> full = new ArrayList<>();
        if (asServerUser && runAsUser != null) {
            full.addAll(List.of("runuser", "-u", runAsUser, "--"));
        }
        full.addAll(command);
        Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
        try {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("Timed out after " + timeoutSeconds + " s: " + String.join(" ", full));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while running " + String.join(" ", full), e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IOException("Command failed (exit " + process.exitValue() + "): " + String.join(" ", full)
                    + System.lineSeparator() + output);
        }
        return output;
    }

    private static boolean userExists(String user) {
        try {
            Process p = new ProcessBuilder("id", "-u", user)
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
