package dev.baton.testkit;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throwaway PostgreSQL server on a free loopback port in a temporary directory, for tests and the demo.
 *
 * <p>Binaries come from {@code BATON_PG_BIN}, {@code PATH}, {@code /usr/lib/postgresql/*}{@code /bin}, or the
 * {@code io.zonky.test.postgres} binaries on the class path. When the JVM runs as root the server runs as an
 * unprivileged user ({@code BATON_PG_USER}, else {@code postgres}, else {@code nobody}), because PostgreSQL refuses
 * to run as root. Durability is off ({@code fsync=off}): the data is thrown away.
 *
 * <p>If {@code BATON_TEST_JDBC_URL} is set, {@link #shared()} returns an {@linkplain #isExternal() external} server
 * instead; operations that need control of the process ({@link #restart()}, {@link #stop()}) then throw
 * {@link UnsupportedOperationException} and tests that need them should skip.
 *
 * <p>Thread-safe: lifecycle methods (and the JVM shutdown hook that stops the server) are serialised on a private
 * lock. Lock order: the class-wide lock of {@link #shared()} before a server's own lock, never the other way.
 */
public final class PostgresServer implements AutoCloseable {
    /** Environment variable naming an external server that all tests use instead of a throwaway one. */
    public static final String EXTERNAL_URL_ENV = "BATON_TEST_JDBC_URL";

    private static final Logger log = LoggerFactory.getLogger(PostgresServer.class);
    private static final Object SHARED_LOCK = new Object();

    @GuardedBy("SHARED_LOCK")
    private static PostgresServer shared;

    private final String externalUrl; // null for a server we run
    private final ServerProcess process; // null for an external server
    private final Thread shutdownHook;
    private final Object lock = new Object();

    @GuardedBy("lock")
    private boolean running;

    @GuardedBy("lock")
    private boolean closed;

    private PostgresServer(String externalUrl) {
        this.externalUrl = externalUrl;
        this.process = null;
        this.shutdownHook = null;
        this.running = true;
    }

    private PostgresServer(ServerProcess process) {
        this.externalUrl = null;
        this.process = process;
        this.shutdownHook = new Thread(this::stopQuietly, "baton-pg-shutdown-" + process.port);
    }

    /** A builder for a new throwaway server. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The server shared by everything in this JVM: the external one named by {@code BATON_TEST_JDBC_URL}, or a
     * throwaway one started on first use and stopped when the JVM exits (or when {@link #close()} is called).
     */
    public static PostgresServer shared() {
        synchronized (SHARED_LOCK) {
            if (shared == null || shared.isClosed()) {
                String url = System.getenv(EXTERNAL_URL_ENV);
                shared = url != null && !url.isBlank()
                        ? external(url)
                        : builder().start();
            }
            return shared;
        }
    }

    /** Wraps an already running server; it is never started, stopped or deleted by this class. */
    public static PostgresServer external(String jdbcUrl) {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("External JDBC URL must start with jdbc:postgresql:, got " + jdbcUrl
                    + " (check " + EXTERNAL_URL_ENV + ")");
        }
        return new PostgresServer(jdbcUrl);
    }

    /** Whether this wraps an external server (no restart, stop or standby). */
    public boolean isExternal() {
        return externalUrl != null;
    }

    /** The JDBC URL of the {@code postgres} database, user {@code postgres} (trust authentication). */
    public String jdbcUrl() {
        return externalUrl != null
                ? externalUrl
                : "jdbc:postgresql://127.0.0.1:" + process.port + "/postgres?user=postgres";
    }

    /** A new non-pooling {@link DataSource} for {@link #jdbcUrl()}; every {@code getConnection} opens a session. */
    public DataSource dataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(jdbcUrl());
        return ds;
    }

    /** Opens a new connection to {@link #jdbcUrl()}. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl());
    }

    /** The TCP port on 127.0.0.1. */
    public int port() {
        requireOwned("port");
        return process.port;
    }

    /** The directory of the server binaries in use. */
    public Path binDir() {
        requireOwned("binDir");
        return process.binDir;
    }

    /**
     * Terminates ({@code pg_terminate_backend}) every other session whose {@code application_name} is
     * {@code LIKE applicationNameLike}, waits until they are gone, and returns how many were terminated.
     */
    public int terminate(String applicationNameLike) {
        String sql = "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) FROM pg_stat_activity"
                + " WHERE application_name LIKE ? AND pid <> pg_backend_pid()";
        try (Connection c = connect();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, applicationNameLike);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not terminate sessions like '" + applicationNameLike + "'", e);
        }
    }

    /** Stops the server (fast shutdown: sessions are disconnected) and keeps its data for {@link #restart()}. */
    public void stop() {
        requireOwned("stop");
        synchronized (lock) {
            if (running) {
                process.stop("fast");
                running = false;
            }
        }
    }

    /** Stops the server if it runs, and starts it again on the same port with the same data. */
    public void restart() {
        requireOwned("restart");
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("Server on port " + process.port + " is closed; build a new one");
            }
            stop();
            startProcess();
        }
    }

    /** Whether the server process is running (always true for an external server). */
    public boolean isRunning() {
        synchronized (lock) {
            return running;
        }
    }

    /**
     * Starts a hot standby of this server ({@code pg_basebackup -R}) on another free port. Advisory locks taken on
     * the standby are not seen by the primary; that is what tests of standby detection need.
     */
    public PostgresServer startStandby() {
        requireOwned("startStandby");
        PostgresServer standby = new PostgresServer(process.baseBackup());
        standby.startProcess();
        return standby;
    }

    /** Stops the server and deletes its directory. Idempotent; a no-op for an external server. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed || externalUrl != null) {
                closed = true;
                return;
            }
            closed = true;
            try {
                stopQuietly();
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // The JVM is already shutting down: the hook stops the server.
            }
            process.delete();
        }
    }

    boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    @Override
    public String toString() {
        return "PostgresServer["
                + (externalUrl != null ? "external " + externalUrl : "port " + process.port + ", " + process.root)
                + "]";
    }

    private void startProcess() {
        synchronized (lock) {
            process.start();
            running = true;
            try {
                Runtime.getRuntime().addShutdownHook(shutdownHook);
            } catch (IllegalArgumentException alreadyRegistered) {
                // restart(): the hook from the first start is still registered.
            }
        }
    }

    /** Also the shutdown hook's body: it runs on the hook's thread, hence the lock. */
    private void stopQuietly() {
        synchronized (lock) {
            if (running) {
                try {
                    process.stop("immediate");
                } catch (RuntimeException e) {
                    log.warn("Could not stop PostgreSQL on port {}: {}", process.port, e.getMessage());
                }
                running = false;
            }
        }
    }

    private void requireOwned(String operation) {
        if (externalUrl != null) {
            throw new UnsupportedOperationException(
                    operation + "() needs a server started by the testkit, but " + EXTERNAL_URL_ENV + " is set");
        }
    }

    /** Settings for a new server. Not thread-safe. */
    public static final class Builder {
        private final Map<String, String> settings = new LinkedHashMap<>();
        private final List<String> hbaLines = new ArrayList<>();

        private Builder() {
            settings.put("listen_addresses", "127.0.0.1");
            settings.put("fsync", "off");
            settings.put("synchronous_commit", "off");
            settings.put("full_page_writes", "off");
            settings.put("max_connections", "300");
            settings.put("shared_buffers", "64MB");
            settings.put("max_wal_senders", "4");
            settings.put("wal_level", "replica");
            settings.put("hot_standby", "on");
        }

        /** Sets a server parameter in {@code postgresql.conf}, e.g. {@code max_locks_per_transaction}. */
        public Builder setting(String name, String value) {
            if (name == null || !name.matches("[a-z_.]+") || value == null || value.contains("'")) {
                throw new IllegalArgumentException("Bad server setting " + name + "=" + value);
            }
            settings.put(name, value);
            return this;
        }

        /**
         * Lets clients from {@code cidr} (an IPv4 network such as {@code 198.18.7.2/32}) connect over TCP without a
         * password, as loopback clients do; the server must also listen there ({@code listen_addresses}).
         */
        public Builder trustHost(String cidr) {
            if (cidr == null || !cidr.matches("\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}")) {
                throw new IllegalArgumentException("trustHost needs an IPv4 network like 198.18.7.2/32, got " + cidr);
            }
            hbaLines.add("host all all " + cidr + " trust");
            return this;
        }

        /** Runs initdb in a new temporary directory and starts the server; fails with the server log tail. */
        public PostgresServer start() {
            Path binDir = PostgresBinaries.locate();
            IllegalStateException last = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                PostgresServer server = new PostgresServer(
                        ServerProcess.allocate(binDir, Commands.forCurrentUser(), settings, hbaLines));
                try {
                    server.process.initdb();
                    server.startProcess();
                    return server;
                } catch (IllegalStateException e) {
                    // Most likely another process took the free port between our probe and the server's bind.
                    last = e;
                    server.close();
                }
            }
            throw last;
        }
    }
}
