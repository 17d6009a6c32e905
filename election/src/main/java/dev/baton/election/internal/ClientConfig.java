package dev.baton.election.internal;

import dev.baton.election.LockClientListener;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import javax.sql.DataSource;

/** Frozen, validated settings of a lock client. */
public final class ClientConfig {
    private final Source source;
    private final String instanceId;
    private final String applicationName;
    private final Object metricRegistry; // a com.codahale.metrics.MetricRegistry, typed loosely: metrics are optional
    private final List<LockClientListener> listeners;
    private final int maxKeys;
    private final Duration heartbeatInterval;
    private final int maxWaiterConnections;

    private ClientConfig(Builder b) {
        this.source = b.source;
        this.instanceId = b.instanceId != null ? b.instanceId : defaultInstanceId();
        this.applicationName = b.applicationName != null ? b.applicationName : instanceId;
        this.metricRegistry = b.metricRegistry;
        this.listeners = List.copyOf(b.listeners);
        this.maxKeys = b.maxKeys;
        this.heartbeatInterval = b.heartbeatInterval;
        this.maxWaiterConnections = b.maxWaiterConnections;
    }

    public static Builder builder(Source source) {
        return new Builder(source);
    }

    /** {@code host:pid:random}, unique enough to tell instances apart in {@code pg_stat_activity}. */
    public static String defaultInstanceId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "unknown-host";
        }
        long pid = ProcessHandle.current().pid();
        return host + ":" + pid + ":" + Integer.toHexString(new SecureRandom().nextInt(0x10000));
    }

    public Source source() {
        return source;
    }

    public String instanceId() {
        return instanceId;
    }

    public String applicationName() {
        return applicationName;
    }

    /** The registry, or null. */
    public Object metricRegistry() {
        return metricRegistry;
    }

    public List<LockClientListener> listeners() {
        return listeners;
    }

    public int maxKeys() {
        return maxKeys;
    }

    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    public int maxWaiterConnections() {
        return maxWaiterConnections;
    }

    /** Mutable settings; {@link #build()} validates. */
    public static final class Builder {
        private final Source source;
        private String instanceId;
        private String applicationName;
        private Object metricRegistry;
        private final List<LockClientListener> listeners = new ArrayList<>();
        private int maxKeys = 1000;
        private Duration heartbeatInterval = Duration.ofSeconds(1);
        private int maxWaiterConnections = 8;

        private Builder(Source source) {
            this.source = Objects.requireNonNull(source, "source");
        }

        public void instanceId(String id) {
            this.instanceId = Validate.identifierText(id, "instanceId");
        }

        public void applicationName(String name) {
            this.applicationName = Validate.identifierText(name, "applicationName");
        }

        public void metrics(Object registry) {
            this.metricRegistry =
                    Objects.requireNonNull(registry, "metrics registry must not be null; omit the call instead");
        }

        public void addListener(LockClientListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener must not be null"));
        }

        public void maxKeys(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxKeys must be at least 1, got " + max);
            }
            this.maxKeys = max;
        }

        public void heartbeatInterval(Duration interval) {
            this.heartbeatInterval = Validate.positive(interval, "heartbeatInterval");
        }

        public void maxWaiterConnections(int max) {
            if (max < 0) {
                throw new IllegalArgumentException(
                        "maxWaiterConnections must be >= 0 (0 makes waiters poll), got " + max);
            }
            this.maxWaiterConnections = max;
        }

        public ClientConfig build() {
            return new ClientConfig(this);
        }
    }

    /** Where sessions come from: a {@link DataSource} (possibly a pool) or a JDBC URL opened with DriverManager. */
    public abstract static class Source {
        public static Source of(DataSource dataSource) {
            return new DataSourceSource(Objects.requireNonNull(dataSource, "dataSource must not be null"));
        }

        public static Source of(String jdbcUrl, Properties properties) {
            if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("JDBC URL must start with jdbc:postgresql:, got " + jdbcUrl);
            }
            Properties copy = new Properties();
            if (properties != null) {
                copy.putAll(properties);
            }
            return new UrlSource(jdbcUrl, copy);
        }

        /** Opens (or borrows) a connection. */
        public abstract Connection open() throws SQLException;

        /** Whether connections may come from a pool and so must be cleaned before they go back. */
        public abstract boolean mayBePooled();

        /** Evicts a connection whose state is in doubt from its pool, if the pool supports it; true if it did. */
        public boolean evict(Connection connection) {
            return false;
        }

        private static final class DataSourceSource extends Source {
            private final DataSource dataSource;

            DataSourceSource(DataSource dataSource) {
                this.dataSource = dataSource;
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
                // HikariDataSource.evictConnection(Connection) closes the physical connection at once; we do not
                // depend on HikariCP, so find the method by name (other pools may offer the same).
                try {
                    dataSource
                            .getClass()
                            .getMethod("evictConnection", Connection.class)
                            .invoke(dataSource, connection);
                    return true;
                } catch (ReflectiveOperationException | RuntimeException e) {
                    return false;
                }
            }

            @Override
            public String toString() {
                return dataSource.getClass().getName();
            }
        }

        private static final class UrlSource extends Source {
            private final String url;
            private final Properties properties;

            UrlSource(String url, Properties properties) {
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
            public String toString() {
                return url.replaceAll("password=[^&]*", "password=***");
            }
        }
    }
}
