package dev.baton.lock.internal;

import dev.baton.internal.ConnectionSource;
import dev.baton.internal.InstanceIds;
import dev.baton.internal.Validate;
import dev.baton.lock.LockClientListener;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/** Frozen, validated settings of a lock client. */
public final class ClientConfig {
    private final ConnectionSource source;
    private final String instanceId;
    private final String applicationName;
    private final LockMetrics.Factory metrics;
    private final List<LockClientListener> listeners;
    private final int maxKeys;
    private final Duration heartbeatInterval;
    private final int maxWaiterConnections;
    private final Duration waiterIdleTimeout;

    private ClientConfig(Builder b) {
        this.source = b.source;
        this.instanceId = b.instanceId != null ? b.instanceId : InstanceIds.defaultInstanceId();
        this.applicationName = b.applicationName != null ? b.applicationName : instanceId;
        this.metrics = b.metrics;
        this.listeners = List.copyOf(b.listeners);
        this.maxKeys = b.maxKeys;
        this.heartbeatInterval = b.heartbeatInterval;
        this.maxWaiterConnections = b.maxWaiterConnections;
        this.waiterIdleTimeout = b.waiterIdleTimeout;
    }

    public static Builder builder(ConnectionSource source) {
        return new Builder(source);
    }

    public ConnectionSource source() {
        return source;
    }

    public String instanceId() {
        return instanceId;
    }

    public String applicationName() {
        return applicationName;
    }

    public LockMetrics.Factory metrics() {
        return metrics;
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

    public Duration waiterIdleTimeout() {
        return waiterIdleTimeout;
    }

    /** Mutable settings; {@link #build()} validates. */
    public static final class Builder {
        private ConnectionSource source;
        private String instanceId;
        private String applicationName;
        private LockMetrics.Factory metrics = LockMetrics.Factory.NONE;
        private final List<LockClientListener> listeners = new ArrayList<>();
        private int maxKeys = 1000;
        private Duration heartbeatInterval = Duration.ofSeconds(1);
        private int maxWaiterConnections = 8;
        private Duration waiterIdleTimeout = Duration.ofSeconds(30);

        private Builder(ConnectionSource source) {
            this.source = Objects.requireNonNull(source, "source");
        }

        public void instanceId(String id) {
            this.instanceId = Validate.applicationName(id, "instanceId");
        }

        public void applicationName(String name) {
            this.applicationName = Validate.applicationName(name, "applicationName");
        }

        public void metrics(LockMetrics.Factory factory) {
            this.metrics = Objects.requireNonNull(factory, "metrics");
        }

        public void addListener(LockClientListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener must not be null"));
        }

        public void poolEviction(Consumer<Connection> evictor) {
            this.source = source.withEviction(evictor);
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

        public void waiterIdleTimeout(Duration timeout) {
            this.waiterIdleTimeout = Validate.positive(timeout, "waiterIdleTimeout");
        }

        public ClientConfig build() {
            return new ClientConfig(this);
        }
    }
}
