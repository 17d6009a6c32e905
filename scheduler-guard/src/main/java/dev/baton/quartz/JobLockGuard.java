package dev.baton.quartz;

import dev.baton.election.LeaderElector;
import dev.baton.election.LockClient;
import dev.baton.quartz.internal.Guard;
import dev.baton.quartz.internal.GuardConfig;
import dev.baton.quartz.internal.LeaderGate;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.JobKey;
import org.quartz.JobListener;
import org.quartz.ListenerManager;
import org.quartz.Matcher;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerListener;
import org.quartz.impl.matchers.EverythingMatcher;
import org.quartz.listeners.SchedulerListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Quartz {@link TriggerListener} and {@link JobListener} that runs each guarded job on one instance at a time and,
 * with the firing ledger, each scheduled firing once across all instances.
 *
 * <p>For each firing of a guarded job, on the Quartz worker thread:
 *
 * <ol>
 *   <li>{@link #vetoJobExecution} tries the job's advisory lock {@code <prefix><group>.<name>} (default prefix
 *       {@code quartz:}) without waiting; if another instance, or another firing here, holds it, the firing is
 *       vetoed.
 *   <li>With the ledger (on by default) it records {@code (job, scheduled fire time)} in {@code baton_job_firings};
 *       if that firing is already recorded, it releases the lock and vetoes the firing as a duplicate.
 *   <li>{@link #jobWasExecuted} (also after a job that threw) and {@link #jobExecutionVetoed} (another listener
 *       vetoed after ours let the firing through) record the outcome and release the lock.
 * </ol>
 *
 * <p><b>Failures.</b> No listener method throws: Quartz leaves a {@code @DisallowConcurrentExecution} trigger
 * {@code BLOCKED} for good after a listener exception. When PostgreSQL cannot be reached the firing is vetoed (fail
 * closed), counted as vetoed-error, and the outage is logged once; the guard recovers by itself.
 *
 * <p><b>Locks and threads.</b> All job locks of a guard are held by one thread of its own, so a release never
 * depends on the worker thread coming back (a scheduler shut down mid-run, a later listener that threw). Locking and
 * unlocking cost one round trip each on the lock client's session and never wait for another holder.
 *
 * <p><b>Registration.</b> In code: {@code JobLockGuard.builder(dataSource).build().registerWith(scheduler)}. From
 * {@code quartz.properties} alone:
 *
 * <pre>
 * org.quartz.triggerListener.batonGuard.class = dev.baton.quartz.JobLockGuard
 * org.quartz.triggerListener.batonGuard.dataSource = myDS   # an org.quartz.dataSource.myDS.* data source
 * </pre>
 *
 * Quartz then registers it as a trigger listener only; the guard registers itself as a job listener (and a scheduler
 * listener, to close on shutdown) on its first callback, before any release callback of that firing is due (the same
 * happens if code adds it with {@code addTriggerListener} alone). Its configuration is validated when Quartz
 * registers it, so a bad configuration fails {@code getScheduler()}.
 *
 * <p>Thread-safe.
 */
public final class JobLockGuard implements TriggerListener, JobListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobLockGuard.class);

    private final Object configLock = new Object();
    private final PropertySettings settings; // null when built in code; guarded by configLock
    private volatile Guard core; // set once
    private final AtomicBoolean registered = new AtomicBoolean(); // set once its job listener is registered

    /**
     * For {@code quartz.properties}: Quartz calls this, then {@code setName} and the setters of the listener's
     * properties. Use {@link #builder(DataSource)} in code.
     */
    public JobLockGuard() {
        this.settings = new PropertySettings();
    }

    private JobLockGuard(Guard core) {
        this.settings = null;
        this.core = core;
    }

    /**
     * A builder whose guard opens its own {@link LockClient} on {@code dataSource} (one session, closed with the
     * scheduler) and keeps the firing ledger there.
     */
    public static Builder builder(DataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource must not be null");
        return new Builder(dataSource, null, null);
    }

    /**
     * A builder whose guard takes job locks with {@code client} (not closed by the guard). The ledger needs a data
     * source too: {@link Builder#ledgerDataSource(DataSource)}, or {@link Builder#withoutLedger()}.
     */
    public static Builder builder(LockClient client) {
        Objects.requireNonNull(client, "client must not be null");
        return new Builder(null, client, null);
    }

    /**
     * Leader-only mode: a builder whose guard lets guarded firings run only while {@code elector} leads, instead of
     * taking a lock per job. Start and close the elector yourself (the guard only asks {@link LeaderElector#isLeader()}
     * per firing). Leadership may be lost while a job runs (the elector's {@code whileLeader} task is interrupted, a
     * Quartz job is not); with the ledger, the new leader still cannot run the same scheduled firing again. The ledger
     * needs {@link Builder#ledgerDataSource(DataSource)}, or {@link Builder#withoutLedger()}. ABANDONED detection is off
     * in this mode: without a lock per job a free lock cannot prove that a runner is gone.
     */
    public static Builder builder(LeaderElector elector) {
        Objects.requireNonNull(elector, "elector must not be null");
        return new Builder(null, null, elector);
    }

    /**
     * Registers this guard with {@code scheduler}: as trigger listener, as job listener for the matched jobs, and as
     * scheduler listener so it closes when the scheduler shuts down (after the last running guarded firing ended).
     * Quartz calls trigger listeners in registration order and stops at the first that throws, so register the guard
     * before other trigger listeners.
     *
     * @return this guard
     * @throws SchedulerException if Quartz refuses a listener
     * @throws IllegalStateException if this guard is already registered (one guard per scheduler)
     */
    public JobLockGuard registerWith(Scheduler scheduler) throws SchedulerException {
        Objects.requireNonNull(scheduler, "scheduler must not be null");
        if (!registered.compareAndSet(false, true)) {
            throw new IllegalStateException(this + " is already registered with a scheduler; it closes when that"
                    + " scheduler shuts down, so build one guard per scheduler");
        }
        core().start();
        ListenerManager listeners = scheduler.getListenerManager();
        listeners.addTriggerListener(this, EverythingMatcher.allTriggers());
        addCompanionListeners(listeners);
        return this;
    }

    /** The job listener (release callbacks) and the scheduler listener (close on shutdown). */
    private void addCompanionListeners(ListenerManager listeners) {
        listeners.addJobListener(this, core().config().jobs());
        listeners.addSchedulerListener(new SchedulerListenerSupport() {
            @Override
            public void schedulerShutdown() {
                core().schedulerShutdown();
            }
        });
    }

    /**
     * The listener name. For a guard configured in {@code quartz.properties} the first call (Quartz makes it while
     * registering the listener) validates the configuration.
     *
     * @throws IllegalStateException on the first call, if the {@code quartz.properties} configuration is invalid
     */
    @Override
    public String getName() {
        return core().config().name();
    }

    @Override
    public void triggerFired(Trigger trigger, JobExecutionContext context) {
        if (!registered.get()) {
            try {
                // Added as a trigger listener only (quartz.properties, or addTriggerListener in code): become a job
                // listener too, before this firing's release callbacks are due (Quartz builds the job listener list
                // at each notification, on this same thread, after this call).
                synchronized (configLock) {
                    if (!registered.get()) {
                        core().start();
                        addCompanionListeners(context.getScheduler().getListenerManager());
                        registered.set(true);
                    }
                }
            } catch (Throwable t) {
                log.error("{} could not register itself as job listener; vetoing its firings", this, t);
            }
        }
    }

    @Override
    public boolean vetoJobExecution(Trigger trigger, JobExecutionContext context) {
        if (!registered.get()) {
            return true; // not a job listener, so nothing would release the lock: fail closed
        }
        return core().veto(trigger, context);
    }

    @Override
    public void triggerMisfired(Trigger trigger) {
        // Runs on the scheduler thread under the job store's lock: nothing to do, and nothing slow.
    }

    @Override
    public void triggerComplete(
            Trigger trigger, JobExecutionContext context, Trigger.CompletedExecutionInstruction instruction) {
        // Released in jobWasExecuted, which Quartz calls before this (and which a veto does not skip).
    }

    @Override
    public void jobToBeExecuted(JobExecutionContext context) {}

    @Override
    public void jobExecutionVetoed(JobExecutionContext context) {
        core().vetoed(context);
    }

    @Override
    public void jobWasExecuted(JobExecutionContext context, JobExecutionException jobException) {
        core().executed(context, jobException);
    }

    /** Releases everything, stops the guard's threads and closes a lock client it opened. Idempotent. */
    @Override
    public void close() {
        Guard g = core;
        if (g != null) {
            g.close();
        }
    }

    private Guard core() {
        Guard g = core;
        if (g == null) {
            synchronized (configLock) {
                g = core;
                if (g == null) {
                    g = new Guard(settings.build());
                    core = g;
                }
            }
        }
        return g;
    }

    private PropertySettings settings() {
        synchronized (configLock) {
            if (settings == null || core != null) {
                throw new IllegalStateException(
                        "JobLockGuard is already configured; setters are for quartz.properties");
            }
            return settings;
        }
    }

    /** quartz.properties: the listener name (Quartz calls this with the NAME of its key). */
    public void setName(String name) {
        settings().name = name;
    }

    /** quartz.properties: the Quartz data source ({@code org.quartz.dataSource.NAME}) for locks and the ledger. */
    public void setDataSource(String dataSourceName) {
        settings().dataSource = dataSourceName;
    }

    /** quartz.properties: the lock name prefix (default {@code quartz:}). */
    public void setLockPrefix(String prefix) {
        settings().builder.lockPrefix(prefix);
    }

    /** quartz.properties: whether the firing ledger is on (default true). */
    public void setLedger(boolean enabled) {
        settings().builder.ledger(enabled);
    }

    /** quartz.properties: the ledger table (default {@code baton_job_firings}). */
    public void setLedgerTable(String table) {
        settings().builder.ledgerTable(table);
    }

    /** quartz.properties: whether to create the ledger table on first use (default true). */
    public void setCreateLedgerTable(boolean create) {
        settings().builder.createTable(create);
    }

    /** quartz.properties: how long ledger rows are kept, ISO-8601 (default {@code P7D}). */
    public void setLedgerRetention(String duration) {
        settings().builder.retention(PropertySettings.duration("ledgerRetention", duration));
    }

    /** quartz.properties: how often old ledger rows are purged, ISO-8601 (default {@code PT1H}). */
    public void setLedgerPurgeInterval(String duration) {
        settings().builder.purgeInterval(PropertySettings.duration("ledgerPurgeInterval", duration));
    }

    /** quartz.properties: longest wait for a lock operation, ISO-8601 (default {@code PT10S}). */
    public void setOperationTimeout(String duration) {
        settings().builder.operationTimeout(PropertySettings.duration("operationTimeout", duration));
    }

    /** quartz.properties: the instance id of the guard's lock session (default {@code host:pid:random}). */
    public void setInstanceId(String instanceId) {
        settings().instanceId = instanceId;
    }

    @Override
    public String toString() {
        Guard g = core;
        return "JobLockGuard['" + (g != null ? g.config().name() : settings.name) + "']";
    }

    /** Settings for a {@link JobLockGuard}. Not thread-safe; {@link #build()} validates and freezes them. */
    public static final class Builder {
        private final GuardConfig.Builder config = GuardConfig.builder();
        private final DataSource dataSource;
        private final LockClient client;
        private final LeaderElector elector;
        private String instanceId;

        private Builder(DataSource dataSource, LockClient client, LeaderElector elector) {
            this.dataSource = dataSource;
            this.client = client;
            this.elector = elector;
            if (dataSource != null) {
                config.ledgerDataSource(dataSource);
            }
        }

        /** The listener name (default {@code baton-job-lock-guard}); unique among the scheduler's listeners. */
        public Builder name(String name) {
            config.name(name);
            return this;
        }

        /** Which jobs are guarded (default: all). Unmatched jobs run as if the guard were absent. */
        public Builder jobs(Matcher<JobKey> matcher) {
            config.jobs(matcher);
            return this;
        }

        /** Prefix of the lock name {@code <prefix><group>.<name>} (default {@code quartz:}). */
        public Builder lockPrefix(String prefix) {
            config.lockPrefix(prefix);
            return this;
        }

        /** The data source of the firing ledger (default: the builder's data source). */
        public Builder ledgerDataSource(DataSource ledgerDataSource) {
            config.ledgerDataSource(ledgerDataSource);
            return this;
        }

        /** Turns the firing ledger off: locks only (ShedLock-style), so a late instance may run a firing again. */
        public Builder withoutLedger() {
            config.ledger(false);
            return this;
        }

        /** The ledger table, a plain or schema-qualified identifier (default {@code baton_job_firings}). */
        public Builder ledgerTable(String table) {
            config.ledgerTable(table);
            return this;
        }

        /** Whether to create the ledger table on first use (default true); see {@code docs/sql/}. */
        public Builder createLedgerTable(boolean create) {
            config.createTable(create);
            return this;
        }

        /** How long ledger rows are kept (default 7 days); older ones are purged. */
        public Builder ledgerRetention(Duration retention) {
            config.retention(retention);
            return this;
        }

        /** How often old ledger rows are purged (default 1 hour; the first purge runs within a minute). */
        public Builder ledgerPurgeInterval(Duration interval) {
            config.purgeInterval(interval);
            return this;
        }

        /**
         * Longest a worker thread waits for a lock or unlock on the guard's lock thread (default 10 s). Past it the
         * firing is vetoed and counted as vetoed-error, so a PostgreSQL that stops answering cannot hold Quartz's
         * worker threads; a try-lock that succeeds after that is undone.
         */
        public Builder operationTimeout(Duration timeout) {
            config.operationTimeout(timeout);
            return this;
        }

        /** Instance id of the lock session the guard opens (only with {@link #builder(DataSource)}). */
        public Builder instanceId(String id) {
            if (dataSource == null) {
                throw new IllegalStateException(
                        "instanceId is the LockClient's or LeaderElector's; set it on their builder");
            }
            this.instanceId = Objects.requireNonNull(id, "instanceId");
            return this;
        }

        /** Dropwizard registry for per-job metrics {@code baton.quartz.<group>.<name>.*} (optional). */
        public Builder metrics(com.codahale.metrics.MetricRegistry registry) {
            config.metrics(registry);
            return this;
        }

        /**
         * Validates the settings and creates the guard; threads and the lock session start at
         * {@link #registerWith(Scheduler)}.
         *
         * @throws IllegalStateException naming what is missing
         */
        public JobLockGuard build() {
            if (elector != null) {
                config.leaderGate(new LeaderGate() {
                    @Override
                    public boolean isLeader() {
                        return elector.isLeader();
                    }

                    @Override
                    public String instanceId() {
                        return elector.instanceId();
                    }
                });
            } else if (client != null) {
                config.lockClient(() -> client, false);
            } else {
                String id = instanceId;
                config.lockClient(
                        () -> {
                            LockClient.Builder b = LockClient.builder(dataSource);
                            if (id != null) {
                                b.instanceId(id);
                            }
                            return b.build();
                        },
                        true);
            }
            return new JobLockGuard(new Guard(config.build()));
        }
    }
}
