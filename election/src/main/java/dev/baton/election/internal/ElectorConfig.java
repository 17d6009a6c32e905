package dev.baton.election.internal;

import dev.baton.election.LeaderElector;
import dev.baton.election.LeaderTask;
import dev.baton.election.LeadershipListener;
import dev.baton.internal.ConnectionSource;
import dev.baton.internal.InstanceIds;
import dev.baton.internal.ServerRelease;
import dev.baton.internal.Validate;
import dev.baton.lock.LockKey;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Frozen, validated settings of a leader elector, with the keepalive figures derived from them. Immutable once built,
 * so shared freely between the elector's threads; the {@link Builder} is not thread-safe.
 */
public final class ElectorConfig {
    private static final Pattern TABLE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}(\\.[a-z_][a-z0-9_]{0,62})?");
    static final int KEEPALIVE_COUNT = ServerRelease.KEEPALIVE_COUNT;

    final ConnectionSource source;
    final String group;
    final LockKey key;
    final String instanceId;
    final LeaderTask task; // may be null
    final boolean releaseWhenTaskReturns;
    final List<LeadershipListener> listeners;
    final ElectorMetrics.Factory metrics;
    final Duration checkInterval;
    final Duration stepDownAfter;
    final Duration serverReleaseAfter;
    final Duration lockWaitTimeout;
    final Duration rejoinAfterYield;
    final Duration taskStopTimeout;
    final Duration maxReconnectBackoff;
    final String tableName;
    final boolean createTable;
    final int keepaliveIdleSeconds;
    final int keepaliveIntervalSeconds;

    private ElectorConfig(Builder b) {
        this.source = b.source;
        this.group = b.group;
        this.key = LeaderElector.lockKey(b.group);
        this.instanceId = b.instanceId != null ? b.instanceId : InstanceIds.defaultInstanceId();
        this.task = b.task;
        this.releaseWhenTaskReturns = b.releaseWhenTaskReturns;
        this.listeners = List.copyOf(b.listeners);
        this.metrics = b.metrics;
        this.checkInterval = b.checkInterval;
        this.stepDownAfter = b.stepDownAfter;
        this.serverReleaseAfter = b.serverReleaseAfter;
        this.lockWaitTimeout = b.lockWaitTimeout;
        this.rejoinAfterYield = b.rejoinAfterYield;
        this.taskStopTimeout = b.taskStopTimeout;
        this.maxReconnectBackoff = b.maxReconnectBackoff;
        this.tableName = b.tableName;
        this.createTable = b.createTable;
        // The same keepalive arithmetic as the lock client's sessions (ServerRelease).
        ServerRelease release = ServerRelease.of(b.serverReleaseAfter, "serverReleaseAfter");
        this.keepaliveIntervalSeconds = release.intervalSeconds();
        this.keepaliveIdleSeconds = release.idleSeconds();
    }

    public static Builder builder(ConnectionSource source, String group) {
        return new Builder(source, group);
    }

    /** {@code tcp_user_timeout}: unacknowledged data (a check sent into a partition) fails by the same deadline. */
    int tcpUserTimeoutMillis() {
        return (int) serverReleaseAfter.toMillis();
    }

    String describeTiming() {
        return "checkInterval=" + checkInterval.toMillis() + " ms, stepDownAfter=" + stepDownAfter.toMillis()
                + " ms < serverReleaseAfter=" + serverReleaseAfter.toMillis() + " ms (tcp_keepalives_idle="
                + keepaliveIdleSeconds + " s, interval=" + keepaliveIntervalSeconds + " s, count=" + KEEPALIVE_COUNT
                + ", tcp_user_timeout=" + tcpUserTimeoutMillis() + " ms)";
    }

    /** Mutable settings; {@link #build()} validates. Not thread-safe: one thread builds. */
    public static final class Builder {
        private ConnectionSource source;
        private final String group;
        private String instanceId;
        private LeaderTask task;
        private boolean releaseWhenTaskReturns = true;
        private final List<LeadershipListener> listeners = new ArrayList<>();
        private ElectorMetrics.Factory metrics = ElectorMetrics.Factory.NONE;
        private Duration checkInterval = Duration.ofSeconds(1);
        private Duration stepDownAfter = Duration.ofSeconds(5);
        private Duration serverReleaseAfter = Duration.ofSeconds(10);
        private Duration lockWaitTimeout = Duration.ofSeconds(2);
        private Duration rejoinAfterYield = Duration.ofSeconds(1);
        private Duration taskStopTimeout = Duration.ofSeconds(10);
        private Duration maxReconnectBackoff = Duration.ofSeconds(5);
        private String tableName = "baton_leader_terms";
        private boolean createTable = true;

        private Builder(ConnectionSource source, String group) {
            this.source = Objects.requireNonNull(source, "source");
            if (group == null || group.isBlank()) {
                throw new IllegalArgumentException("group must not be null or blank; name the set of instances");
            }
            if (group.length() > 200) {
                throw new IllegalArgumentException(
                        "group '" + group.substring(0, 32) + "...' is longer than 200 chars");
            }
            this.group = group;
        }

        public void poolEviction(Consumer<Connection> evictor) {
            this.source = source.withEviction(evictor);
        }

        public void instanceId(String id) {
            this.instanceId = Validate.applicationName(id, "instanceId");
        }

        public void task(LeaderTask task) {
            this.task = Objects.requireNonNull(task, "whileLeader task must not be null; omit the call instead");
        }

        public void releaseWhenTaskReturns(boolean release) {
            this.releaseWhenTaskReturns = release;
        }

        public void addListener(LeadershipListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener must not be null"));
        }

        public void metrics(ElectorMetrics.Factory factory) {
            this.metrics = Objects.requireNonNull(factory, "metrics");
        }

        public void checkInterval(Duration d) {
            this.checkInterval = atLeast(d, Duration.ofMillis(10), "checkInterval");
        }

        public void stepDownAfter(Duration d) {
            this.stepDownAfter = atLeast(d, Duration.ofMillis(100), "stepDownAfter");
        }

        public void serverReleaseAfter(Duration d) {
            ServerRelease.of(d, "serverReleaseAfter"); // validates: whole seconds, at least 4 s
            this.serverReleaseAfter = d;
        }

        public void lockWaitTimeout(Duration d) {
            this.lockWaitTimeout = atLeast(d, Duration.ofMillis(100), "lockWaitTimeout");
        }

        public void rejoinAfterYield(Duration d) {
            this.rejoinAfterYield = Validate.nonNegative(d, "rejoinAfterYield");
        }

        public void taskStopTimeout(Duration d) {
            this.taskStopTimeout = Validate.nonNegative(d, "taskStopTimeout");
        }

        public void maxReconnectBackoff(Duration d) {
            this.maxReconnectBackoff = atLeast(d, Duration.ofMillis(100), "maxReconnectBackoff");
        }

        public void tableName(String name) {
            if (name == null || !TABLE_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("tableName '" + name + "' must be a lower-case SQL identifier,"
                        + " optionally schema-qualified (e.g. baton_leader_terms or ops.leader_terms)");
            }
            this.tableName = name;
        }

        public void createTable(boolean create) {
            this.createTable = create;
        }

        public ElectorConfig build() {
            if (stepDownAfter.compareTo(serverReleaseAfter) >= 0) {
                throw new IllegalArgumentException("Timing contract violated for group '" + group + "': stepDownAfter ("
                        + stepDownAfter.toMillis() + " ms) must be shorter than serverReleaseAfter ("
                        + serverReleaseAfter.toMillis() + " ms), so that in a partition the old leader steps down"
                        + " before PostgreSQL can grant the lock to another instance");
            }
            if (checkInterval.compareTo(stepDownAfter) >= 0) {
                throw new IllegalArgumentException("checkInterval (" + checkInterval.toMillis() + " ms) must be shorter"
                        + " than stepDownAfter (" + stepDownAfter.toMillis() + " ms), or one late check steps down");
            }
            return new ElectorConfig(this);
        }

        private static Duration atLeast(Duration d, Duration min, String what) {
            Validate.positive(d, what);
            if (d.compareTo(min) < 0) {
                throw new IllegalArgumentException(what + " must be at least " + min.toMillis() + " ms, got " + d);
            }
            return d;
        }
    }
}
