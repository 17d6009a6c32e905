package dev.baton.quartz;

import dev.baton.election.LeaderElector;
import dev.baton.lock.LockClient;
import dev.baton.quartz.internal.BuilderSettings;
import dev.baton.quartz.internal.GuardHandle;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.JobKey;
import org.quartz.JobListener;
import org.quartz.Matcher;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerListener;
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
 * <p>Registration, in code or from {@code quartz.properties} alone, is described in the {@linkplain dev.baton.quartz
 * package documentation}.
 *
 * <p>Thread-safe.
 */
public final class JobLockGuard implements TriggerListener, JobListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobLockGuard.class);

    private final GuardHandle handle;

    /**
     * For {@code quartz.properties}: Quartz calls this, then {@code setName} and the setters of the listener's
     * properties. Use {@link #builder(DataSource)} in code.
     */
    public JobLockGuard() {
        this.handle = GuardHandle.fromProperties();
    }

    private JobLockGuard(GuardHandle handle) {
        this.handle = handle;
    }

    /**
     * A builder whose guard opens its own {@link LockClient} on {@code dataSource} (one session, closed with the
     * scheduler) and keeps the firing ledger there.
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(BuilderSettings.of(dataSource));
    }

    /**
     * A builder whose guard takes job locks with {@code client} (not closed by the guard). The ledger needs a data
     * source too: {@link Builder#ledgerDataSource(DataSource)}, or {@link Builder#withoutLedger()}.
     */
    public static Builder builder(LockClient client) {
        return new Builder(BuilderSettings.of(client));
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
        return new Builder(BuilderSettings.of(elector));
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
        handle.register(scheduler.getListenerManager(), this);
        return this;
    }

    /**
     * The listener name. For a guard configured in {@code quartz.properties} the first call (Quartz makes it while
     * registering the listener) validates the configuration.
     *
     * @throws IllegalStateException on the first call, if the {@code quartz.properties} configuration is invalid
     */
    @Override
    public String getName() {
        return handle.name();
    }

    @Override
    public void triggerFired(Trigger trigger, JobExecutionContext context) {
        try {
            handle.registerOnFirstFiring(context, this);
        } catch (Throwable t) {
            log.error("{} could not register itself as job listener; vetoing its firings", this, t);
        }
    }

    @Override
    public boolean vetoJobExecution(Trigger trigger, JobExecutionContext context) {
        if (!handle.registered()) {
            return true; // not a job listener, so nothing would release the lock: fail closed
        }
        return handle.guard().veto(trigger, context);
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
        handle.guard().vetoed(context);
    }

    @Override
    public void jobWasExecuted(JobExecutionContext context, JobExecutionException jobException) {
        handle.guard().executed(context, jobException);
    }

    /** Releases everything, stops the guard's threads and closes a lock client it opened. Idempotent. */
    @Override
    public void close() {
        handle.close();
    }

    /** quartz.properties: the listener name (Quartz calls this with the NAME of its key). */
    public void setName(String name) {
        handle.properties().name(name);
    }

    /** quartz.properties: the Quartz data source ({@code org.quartz.dataSource.NAME}) for locks and the ledger. */
    public void setDataSource(String dataSourceName) {
        handle.properties().dataSource(dataSourceName);
    }

    /** quartz.properties: the lock name prefix (default {@code quartz:}). */
    public void setLockPrefix(String prefix) {
        handle.properties().lockPrefix(prefix);
    }

    /** quartz.properties: whether the firing ledger is on (default true). */
    public void setLedger(boolean enabled) {
        handle.properties().ledger(enabled);
    }

    /** quartz.properties: the ledger table (default {@code baton_job_firings}). */
    public void setLedgerTable(String table) {
        handle.properties().ledgerTable(table);
    }

    /** quartz.properties: whether to create the ledger table on first use (default true). */
    public void setCreateLedgerTable(boolean create) {
        handle.properties().createLedgerTable(create);
    }

    /** quartz.properties: how long ledger rows are kept, ISO-8601 (default {@code P7D}). */
    public void setLedgerRetention(String duration) {
        handle.properties().ledgerRetention(duration);
    }

    /** quartz.properties: how often old ledger rows are purged, ISO-8601 (default {@code PT1H}). */
    public void setLedgerPurgeInterval(String duration) {
        handle.properties().ledgerPurgeInterval(duration);
    }

    /** quartz.properties: longest wait for a lock operation, ISO-8601 (default {@code PT10S}). */
    public void setOperationTimeout(String duration) {
        handle.properties().operationTimeout(duration);
    }

    /** quartz.properties: the instance id of the guard's lock session (default {@code host:pid:random}). */
    public void setInstanceId(String instanceId) {
        handle.properties().instanceId(instanceId);
    }

    @Override
    public String toString() {
        return "JobLockGuard['" + handle.nameSoFar() + "']";
    }

    /** Settings for a {@link JobLockGuard}. Not thread-safe; {@link #build()} validates and freezes them. */
    public static final class Builder {
        private final BuilderSettings settings;

        private Builder(BuilderSettings settings) {
            this.settings = settings;
        }

        /** The listener name (default {@code baton-job-lock-guard}); unique among the scheduler's listeners. */
        public Builder name(String name) {
            settings.config().name(name);
            return this;
        }

        /** Which jobs are guarded (default: all). Unmatched jobs run as if the guard were absent. */
        public Builder jobs(Matcher<JobKey> matcher) {
            settings.config().jobs(matcher);
            return this;
        }

        /** Prefix of the lock name {@code <prefix><group>.<name>} (default {@code quartz:}). */
        public Builder lockPrefix(String prefix) {
            settings.config().lockPrefix(prefix);
            return this;
        }

        /** The data source of the firing ledger (default: the builder's data source). */
        public Builder ledgerDataSource(DataSource ledgerDataSource) {
            settings.config().ledgerDataSource(ledgerDataSource);
            return this;
        }

        /** Turns the firing ledger off: locks only (ShedLock-style), so a late instance may run a firing again. */
        public Builder withoutLedger() {
            settings.config().ledger(false);
            return this;
        }

        /** The ledger table, a plain or schema-qualified identifier (default {@code baton_job_firings}). */
        public Builder ledgerTable(String table) {
            settings.config().ledgerTable(table);
            return this;
        }

        /** Whether to create the ledger table on first use (default true); see {@code docs/sql/}. */
        public Builder createLedgerTable(boolean create) {
            settings.config().createTable(create);
            return this;
        }

        /** How long ledger rows are kept (default 7 days); older ones are purged. */
        public Builder ledgerRetention(Duration retention) {
            settings.config().retention(retention);
            return this;
        }

        /** How often old ledger rows are purged (default 1 hour; the first purge runs within a minute). */
        public Builder ledgerPurgeInterval(Duration interval) {
            settings.config().purgeInterval(interval);
            return this;
        }

        /**
         * Longest a worker thread waits for a lock or unlock on the guard's lock thread (default 10 s). Past it the
         * firing is vetoed and counted as vetoed-error, so a PostgreSQL that stops answering cannot hold Quartz's
         * worker threads; a try-lock that succeeds after that is undone.
         */
        public Builder operationTimeout(Duration timeout) {
            settings.config().operationTimeout(timeout);
            return this;
        }

        /** Instance id of the lock session the guard opens (only with {@link #builder(DataSource)}). */
        public Builder instanceId(String id) {
            settings.instanceId(id);
            return this;
        }

        /** Dropwizard registry for per-job metrics {@code baton.quartz.<group>.<name>.*} (optional). */
        public Builder metrics(com.codahale.metrics.MetricRegistry registry) {
            settings.config().metrics(registry);
            return this;
        }

        /**
         * Validates the settings and creates the guard; threads and the lock session start at
         * {@link #registerWith(Scheduler)}.
         *
         * @throws IllegalStateException naming what is missing
         */
        public JobLockGuard build() {
            return new JobLockGuard(settings.build());
        }
    }
}
