package dev.baton.quartz.internal;

import dev.baton.election.LeaderElector;
import dev.baton.internal.Validate;
import dev.baton.lock.LockClient;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.quartz.JobKey;
import org.quartz.Matcher;
import org.quartz.impl.matchers.EverythingMatcher;

/**
 * The one configuration of a guard: immutable, validated by {@link Builder#build()}, which {@code JobLockGuard.Builder}
 * (and through it {@code JobLockGuardPlugin}) fills in. Thread-safe (immutable).
 */
public final class GuardConfig {
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
    final GuardMetrics metrics;
    final LeaderGate leaderGate; // null unless leader-only
    final int recoveryAttempts;
    final Duration recoveryRetryDelay;

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
        this.metrics = b.metrics;
        this.leaderGate = b.leaderGate;
        this.recoveryAttempts = b.recoveryAttempts;
        this.recoveryRetryDelay = b.recoveryRetryDelay;
    }

    /** Locks from a lock client the guard opens on {@code dataSource} at start and closes; the ledger there too. */
    public static Builder builder(DataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource must not be null");
        Builder b = new Builder(dataSource);
        b.ledgerDataSource = dataSource;
        return b;
    }

    /** Locks from the caller's {@code client}, which the guard does not close. */
    public static Builder builder(LockClient client) {
        Objects.requireNonNull(client, "client must not be null");
        Builder b = new Builder(null);
        b.lockClient = () -> client;
        return b;
    }

    /**
     * Leader-only: firings run while {@code elector} leads. Firings of one job still exclude each other in this JVM,
     * through leases of an in-memory lock client (not re-entrant, like a second instance).
     */
    public static Builder builder(LeaderElector elector) {
        Objects.requireNonNull(elector, "elector must not be null");
        Builder b = new Builder(null);
        b.lockClient = LockClient::inMemory;
        b.ownsLockClient = true;
        b.leaderGate = new LeaderGate() {
            @Override
            public boolean isLeader() {
                return elector.isLeader();
            }

            @Override
            public String instanceId() {
                return elector.instanceId();
            }
        };
        return b;
    }

    /** The listener name. */
    public String name() {
        return name;
    }

    /** Which jobs are guarded. */
    public Matcher<JobKey> jobs() {
        return jobs;
    }

    /** Mutable settings; each setter checks its value, {@link #build()} the whole. Not thread-safe. */
    public static final class Builder {
        private final DataSource ownClientDataSource; // set only when the guard opens its own lock client
        private String name = "baton-job-lock-guard";
        private String lockPrefix = "quartz:";
        private Matcher<JobKey> jobs = EverythingMatcher.allJobs();
        private Supplier<LockClient> lockClient;
        private boolean ownsLockClient;
        private String instanceId;
        private DataSource ledgerDataSource;
        private boolean ledger = true;
        private String ledgerTable = "baton_job_firings";
        private boolean createTable = true;
        private Duration retention = Duration.ofDays(7);
        private Duration purgeInterval = Duration.ofHours(1);
        private Duration operationTimeout = Duration.ofSeconds(10);
        private GuardMetrics metrics = GuardMetrics.NONE;
        private LeaderGate leaderGate;
        private int recoveryAttempts = 60;
        private Duration recoveryRetryDelay = Duration.ofSeconds(1);

        private Builder(DataSource ownClientDataSource) {
            this.ownClientDataSource = ownClientDataSource;
        }

        public void name(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("Guard name must not be null or blank (Quartz keys listeners by"
                        + " name); got " + (value == null ? "null" : "'" + value + "'"));
            }
            this.name = value;
        }

        public void lockPrefix(String value) {
            this.lockPrefix = Objects.requireNonNull(value, "lockPrefix must not be null (use \"\" for none)");
        }

        public void jobs(Matcher<JobKey> value) {
            this.jobs = Objects.requireNonNull(value, "job matcher must not be null; the default matches all jobs");
        }

        public void instanceId(String id) {
            if (ownClientDataSource == null) {
                throw new IllegalStateException(
                        "instanceId is the LockClient's or LeaderElector's; set it on their builder");
            }
            this.instanceId = Objects.requireNonNull(id, "instanceId must not be null");
        }

        public void ledgerDataSource(DataSource value) {
            this.ledgerDataSource = Objects.requireNonNull(value, "ledger DataSource must not be null");
        }

        public void ledger(boolean enabled) {
            this.ledger = enabled;
        }

        public void ledgerTable(String value) {
            this.ledgerTable = Identifiers.tableName(value);
        }

        public void createTable(boolean value) {
            this.createTable = value;
        }

        public void retention(Duration value) {
            this.retention = Validate.positive(value, "ledger retention");
        }

        public void purgeInterval(Duration value) {
            this.purgeInterval = Validate.positive(value, "ledger purge interval");
        }

        public void operationTimeout(Duration value) {
            this.operationTimeout = Validate.positive(value, "lock operation timeout");
        }

        /** How often, and how far apart, a recovery firing is tried before the guard gives up (default 60, 1 s). */
        public void recoveryRetries(int attempts, Duration delay) {
            if (attempts < 1) {
                throw new IllegalArgumentException("recovery attempts must be at least 1; got " + attempts);
            }
            this.recoveryAttempts = attempts;
            this.recoveryRetryDelay = Validate.positive(delay, "recovery retry delay");
        }

        public void metrics(GuardMetrics value) {
            this.metrics = Objects.requireNonNull(value, "metrics must not be null");
        }

        /**
         * The frozen configuration.
         *
         * @throws IllegalStateException naming what is missing
         */
        public GuardConfig build() {
            if (ledger && ledgerDataSource == null) {
                throw new IllegalStateException("The firing ledger (on by default) needs a DataSource: call"
                        + " ledgerDataSource(dataSource), or withoutLedger() to guard with locks only");
            }
            if (ownClientDataSource != null) {
                DataSource ds = ownClientDataSource;
                String id = instanceId;
                lockClient = () -> {
                    LockClient.Builder b = LockClient.builder(ds);
                    if (id != null) {
                        b.instanceId(id);
                    }
                    return b.build();
                };
                ownsLockClient = true;
            }
            return new GuardConfig(this);
        }
    }
}
