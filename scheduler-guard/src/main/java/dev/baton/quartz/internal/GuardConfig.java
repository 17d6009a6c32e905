package dev.baton.quartz.internal;

import dev.baton.election.LeaderElector;
import dev.baton.lock.LockClient;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.quartz.JobKey;
import org.quartz.Matcher;
import org.quartz.impl.matchers.EverythingMatcher;

/** Frozen, validated settings of a guard. */
public final class GuardConfig {
    public static final String DEFAULT_NAME = "baton-job-lock-guard";
    public static final String DEFAULT_PREFIX = "quartz:";
    public static final String DEFAULT_TABLE = "baton_job_firings";

    final String name;
    final String lockPrefix;
    final Matcher<JobKey> jobs;
    final Supplier<LockClient> lockClient; // called once, at start
    final boolean ownsLockClient;
    final DataSource ledgerDataSource; // null when the ledger is off
    final String ledgerTable;
    final boolean createTable;
    final Duration retention;
    final Duration purgeInterval;
    final Duration operationTimeout;
    final Object metricRegistry; // a com.codahale.metrics.MetricRegistry or null
    final LeaderGate leaderGate; // null unless leader-only

    private GuardConfig(Builder b) {
        this.name = b.name;
        this.lockPrefix = b.lockPrefix;
        this.jobs = b.jobs;
        this.lockClient = b.lockClient;
        this.ownsLockClient = b.ownsLockClient;
        this.ledgerDataSource = b.ledger ? b.ledgerDataSource : null;
        this.ledgerTable = b.ledgerTable;
        this.createTable = b.createTable;
        this.retention = b.retention;
        this.purgeInterval = b.purgeInterval;
        this.operationTimeout = b.operationTimeout;
        this.metricRegistry = b.metricRegistry;
        this.leaderGate = b.leaderGate;
    }

    static Builder builder() {
        return new Builder();
    }

    String name() {
        return name;
    }

    Matcher<JobKey> jobs() {
        return jobs;
    }

    /** Mutable settings; {@link #build()} validates them. */
    public static final class Builder {
        private String name = DEFAULT_NAME;
        private String lockPrefix = DEFAULT_PREFIX;
        private Matcher<JobKey> jobs = EverythingMatcher.allJobs();
        private Supplier<LockClient> lockClient;
        private boolean ownsLockClient;
        private DataSource ledgerDataSource;
        private boolean ledger = true;
        private String ledgerTable = DEFAULT_TABLE;
        private boolean createTable = true;
        private Duration retention = Duration.ofDays(7);
        private Duration purgeInterval = Duration.ofHours(1);
        private Duration operationTimeout = Duration.ofSeconds(10);
        private Object metricRegistry;
        private LeaderGate leaderGate;

        private Builder() {}

        public Builder name(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("Guard name must not be null or blank (Quartz keys listeners by"
                        + " name); got " + (value == null ? "null" : "'" + value + "'"));
            }
            this.name = value;
            return this;
        }

        public Builder lockPrefix(String value) {
            this.lockPrefix = Objects.requireNonNull(value, "lockPrefix must not be null (use \"\" for none)");
            return this;
        }

        public Builder jobs(Matcher<JobKey> value) {
            this.jobs = Objects.requireNonNull(value, "job matcher must not be null; the default matches all jobs");
            return this;
        }

        /** The lock client; {@code owned}: the guard closes it when the scheduler shuts down. */
        Builder lockClient(Supplier<LockClient> value, boolean owned) {
            this.lockClient = Objects.requireNonNull(value, "lockClient");
            this.ownsLockClient = owned;
            return this;
        }

        /** A lock client the guard opens on {@code dataSource} at start and closes; {@code instanceId} may be null. */
        Builder ownedLockClient(DataSource dataSource, String instanceId) {
            return lockClient(
                    () -> {
                        LockClient.Builder b = LockClient.builder(dataSource);
                        if (instanceId != null) {
                            b.instanceId(instanceId);
                        }
                        return b.build();
                    },
                    true);
        }

        public Builder ledgerDataSource(DataSource value) {
            this.ledgerDataSource = Objects.requireNonNull(value, "ledger DataSource must not be null");
            return this;
        }

        public Builder ledger(boolean enabled) {
            this.ledger = enabled;
            return this;
        }

        public Builder ledgerTable(String value) {
            this.ledgerTable = Identifiers.tableName(value);
            return this;
        }

        public Builder createTable(boolean value) {
            this.createTable = value;
            return this;
        }

        public Builder retention(Duration value) {
            this.retention = positive(value, "ledger retention");
            return this;
        }

        public Builder purgeInterval(Duration value) {
            this.purgeInterval = positive(value, "ledger purge interval");
            return this;
        }

        public Builder operationTimeout(Duration value) {
            this.operationTimeout = positive(value, "lock operation timeout");
            return this;
        }

        public Builder metrics(Object registry) {
            this.metricRegistry = Objects.requireNonNull(registry, "metrics registry must not be null");
            return this;
        }

        /** Leader-only mode: guarded firings run only while {@code elector} leads. */
        Builder leaderElector(LeaderElector elector) {
            Objects.requireNonNull(elector, "leader elector");
            this.leaderGate = new LeaderGate() {
                @Override
                public boolean isLeader() {
                    return elector.isLeader();
                }

                @Override
                public String instanceId() {
                    return elector.instanceId();
                }
            };
            return this;
        }

        public GuardConfig build() {
            if (lockClient == null && leaderGate == null) {
                throw new IllegalStateException("JobLockGuard needs a LockClient or a DataSource to take job locks");
            }
            if (ledger && ledgerDataSource == null) {
                throw new IllegalStateException("The firing ledger (on by default) needs a DataSource: call"
                        + " ledgerDataSource(dataSource), or withoutLedger() to guard with locks only");
            }
            return new GuardConfig(this);
        }

        private static Duration positive(Duration value, String what) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(what + " must be a positive duration, got " + value);
            }
            return value;
        }
    }
}
