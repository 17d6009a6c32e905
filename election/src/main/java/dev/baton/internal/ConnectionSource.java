package dev.baton.internal;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Where a component's sessions come from: a {@link DataSource} (possibly a pool) or a JDBC URL opened with
 * {@link DriverManager}. Immutable and thread-safe.
 */
public abstract class ConnectionSource {
    private ConnectionSource() {}

    /** Connections from {@code dataSource}; eviction from its pool as {@link PoolEviction#detect} finds it. */
    public static ConnectionSource of(DataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource must not be null");
        return new FromDataSource(dataSource, PoolEviction.detect(dataSource));
    }

    /** Physical connections of our own to {@code jdbcUrl}. */
    public static ConnectionSource of(String jdbcUrl, Properties properties) {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("JDBC URL must start with jdbc:postgresql:, got " + jdbcUrl);
        }
        Properties copy = new Properties();
        if (properties != null) {
            copy.putAll(properties);
        }
        return new FromUrl(jdbcUrl, copy);
    }

    /**
     * This source with {@code evictor} as the way to evict a connection from its pool (for pools other than
     * HikariCP, which is found by itself).
     *
     * @throws IllegalArgumentException if this source opens physical connections (there is no pool to evict from)
     */
    public ConnectionSource withEviction(Consumer<Connection> evictor) {
        Objects.requireNonNull(evictor, "pool eviction must not be null");
        throw new IllegalArgumentException("poolEviction applies to a DataSource only; a JDBC URL source opens"
                + " physical connections, which are closed, never pooled");
    }

    /** Opens (or borrows) a connection. */
    public abstract Connection open() throws SQLException;

    /** Whether connections may come from a pool and so must be cleaned before they go back. */
    public abstract boolean mayBePooled();

    /** Evicts a connection whose state is in doubt from its pool; true if it did. Never throws. */
    public abstract boolean evict(Connection connection);

    private static final class FromDataSource extends ConnectionSource {
        private final DataSource dataSource;
        private final PoolEviction eviction;

        FromDataSource(DataSource dataSource, PoolEviction eviction) {
            this.dataSource = dataSource;
            this.eviction = eviction;
        }

        @Override
        public ConnectionSource withEviction(Consumer<Connection> evictor) {
            return new FromDataSource(dataSource, PoolEviction.of(Objects.requireNonNull(evictor, "evictor")));
        }

        @Override
        public Connection open() throws SQLException {
            return dataSource.getConnection();
        }

        @Override
        public boolean mayBePooled() {
            return true;
        }

        @Override
        public boolean evict(Connection connection) {
            return eviction.evict(connection);
        }

        @Override
        public String toString() {
            return dataSource.getClass().getName();
        }
    }

    private static final class FromUrl extends ConnectionSource {
        private final String url;
        private final Properties properties;

        FromUrl(String url, Properties properties) {
            this.url = url;
            this.properties = properties;
        }

        @Override
        public Connection open() throws SQLException {
            return DriverManager.getConnection(url, properties);
        }

        @Override
        public boolean mayBePooled() {
            return false;
        }

        @Override
        public boolean evict(Connection connection) {
            return false;
        }

        @Override
        public String toString() {
            return url.replaceAll("password=[^&]*", "password=***");
        }
    }
}
