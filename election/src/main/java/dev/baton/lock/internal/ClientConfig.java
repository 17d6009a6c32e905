package dev.baton.lock.internal;

import dev.baton.internal.ConnectionSource;
import dev.baton.internal.InstanceIds;
import dev.baton.internal.ServerRelease;
import dev.baton.internal.Validate;
import dev.baton.lock.LockClientListener;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Frozen, validated settings of a lock client, with the timing contract checked: {@code heartbeatInterval <
 * lossTimeout} and {@code lossTimeout + WATCHDOG_TICK < serverReleaseAfter}.
 */
public final class ClientConfig {
    /** How often the watchdog looks for a session that has not answered for {@code lossTimeout}. */
    static final Duration WATCHDOG_TICK = Duration.ofMillis(50);

    private final ConnectionSource source;
    private final String instanceId;
    private final String applicationName;
    private final LockMetrics.Factory metrics;
    private final List<LockClientListener> listeners;
    private final int maxKeys;
    private final Duration heartbeatInterval;
    private final int maxWaiterConnections;
    private final Duration waiterIdleTimeout;
    private final Duration lossTimeout;
    private final ServerRelease serverRelease;

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
        this.lossTimeout = b.lossTimeout;
        this.serverRelease = ServerRelease.of(b.serverReleaseAfter, "serverReleaseAfter");
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

    /** How long a session holding locks may go without an answer before its holds are declared in doubt. */
    public Duration lossTimeout() {
        return lossTimeout;
    }

    /** The keepalive settings that make the server drop a silent lock session after {@code serverReleaseAfter}. */
    public ServerRelease serverRelease() {
        return serverRelease;
    }

    String describeTiming() {
        return "heartbeatInterval=" + heartbeatInterval.toMillis() + " ms, lossTimeout=" + lossTimeout.toMillis()
                + " ms (+ watchdog tick " + WATCHDOG_TICK.toMillis() + " ms) < " + serverRelease.describe();
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
        private Duration lossTimeout = Duration.ofSeconds(5);
        private Duration serverReleaseAfter = Duration.ofSeconds(10);

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

        public void lossTimeout(Duration timeout) {
            Validate.positive(timeout, "lossTimeout");
            if (timeout.compareTo(Duration.ofMillis(100)) < 0) {
                throw new IllegalArgumentException("lossTimeout must be at least 100 ms, got " + timeout);
            }
            this.lossTimeout = timeout;
        }

        public void serverReleaseAfter(Duration after) {
            ServerRelease.of(after, "serverReleaseAfter"); // validates
            this.serverReleaseAfter = after;
        }

        public ClientConfig build() {
            if (lossTimeout.plus(WATCHDOG_TICK).compareTo(serverReleaseAfter) >= 0) {
                throw new IllegalArgumentException("Timing contract violated: lossTimeout (" + lossTimeout.toMillis()
                        + " ms) plus the watchdog tick (" + WATCHDOG_TICK.toMillis() + " ms) must be shorter than"
                        + " serverReleaseAfter (" + serverReleaseAfter.toMillis() + " ms), so that in a partition a"
                        + " holder is told its holds are in doubt before PostgreSQL can grant them to another"
                        + " session. Lower lossTimeout or raise serverReleaseAfter");
            }
            if (heartbeatInterval.compareTo(lossTimeout) >= 0) {
                throw new IllegalArgumentException("heartbeatInterval (" + heartbeatInterval.toMillis() + " ms) must be"
                        + " shorter than lossTimeout (" + lossTimeout.toMillis() + " ms), or a healthy but idle"
                        + " session would be declared in doubt between two heartbeats. Lower heartbeatInterval or"
                        + " raise lossTimeout");
            }
            return new ClientConfig(this);
        }
    }
}
