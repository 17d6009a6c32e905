package dev.baton.quartz;

import dev.baton.election.LeaderElector;
import dev.baton.lock.LockClient;
import dev.baton.quartz.internal.Guard;
import dev.baton.quartz.internal.GuardConfig;
import dev.baton.quartz.internal.dropwizard.DropwizardGuardMetrics;
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

/**
 * A Quartz {@link TriggerListener} and {@link JobListener} that runs each guarded job on one instance at a time and,
 * with the firing ledger, each scheduled firing once across all instances.
 *
 * <p>For each firing of a guarded job, on the Quartz worker thread:
 *
 * <ol>
 *   <li>{@link #vetoJobExecution} takes a {@link dev.baton.lock.LockLease} on the job's lock {@code <prefix><key>}
 *       (default prefix {@code quartz:}; the key is {@code <group>.<name>} with {@code .} and {@code \} in the group
 *       escaped by {@code \}, so no two jobs share it) without waiting; if another instance, or another firing here,
 *       holds it, the firing is vetoed.
 *   <li>With the ledger (on by default) it records {@code (job, scheduled fire time)} in {@code baton_job_firings};
 *       if that firing is already recorded, it releases the lease and vetoes the firing as a duplicate.
 *   <li>{@link #jobWasExecuted} (also after a job that threw) and {@link #jobExecutionVetoed} (another listener
 *       vetoed after ours let the firing through) record the outcome and release the lease.
 * </ol>
 *
 * <p><b>Failures.</b> No listener method throws: Quartz leaves a {@code @DisallowConcurrentExecution} trigger
 * {@code BLOCKED} for good after a listener exception. When PostgreSQL cannot be reached the firing is vetoed (fail
 * closed), counted as vetoed-error, and the outage is logged once; the guard recovers by itself.
 *
 * <p><b>Threads and blocking.</b> A lease belongs to no thread, so a firing's lock is released by whichever thread
 * ends it: the release callbacks, the same worker's next firing of any job when Quartz skipped them (a later listener
 * threw), or {@link #close()}. A worker waits at most the {@linkplain Builder#operationTimeout operation timeout} for a lock
 * operation, never for another holder; locking and unlocking cost one round trip each on the lock client's session.
 *
 * <p>Register in code with {@link #registerWith(Scheduler)}, or from {@code quartz.properties} with
 * {@link JobLockGuardPlugin}; see the {@linkplain dev.baton.quartz package documentation}.
 *
 * <p>Thread-safe.
 */
public final class JobLockGuard implements TriggerListener, JobListener, AutoCloseable {
    private final Guard guard;
    private final AtomicBoolean registered = new AtomicBoolean();

    private JobLockGuard(GuardConfig config) {
        this.guard = new Guard(config);
    }

    /**
     * A builder whose guard opens its own {@link LockClient} on {@code dataSource} (one session, closed with the
     * scheduler) and keeps the firing ledger there.
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(GuardConfig.builder(dataSource));
    }

    /**
     * A builder whose guard takes job leases from {@code client} (not closed by the guard). The ledger needs a data
     * source too: {@link Builder#ledgerDataSource(DataSource)}, or {@link Builder#withoutLedger()}.
     */
    public static Builder builder(LockClient client) {
        return new Builder(GuardConfig.builder(client));
    }

    /**
     * Leader-only mode: a builder whose guard lets guarded firings run only while {@code elector} leads (it asks
     * {@link LeaderElector#isLeader()} per firing) instead of taking a lock per job on PostgreSQL; firings of one job
     * still exclude each other in this JVM. Start and close the elector yourself. A Quartz job is not interrupted when
     * leadership is lost; with the ledger the new leader still cannot run the same scheduled firing again. The ledger
     * needs {@link Builder#ledgerDataSource}, or {@link Builder#withoutLedger()}; ABANDONED detection is off.
     */
    public static Builder builder(LeaderElector elector) {
        return new Builder(GuardConfig.builder(elector));
    }

    /**
     * Starts the guard (its lock session and threads) and registers it with {@code scheduler}: as trigger listener, as
     * job listener for the matched jobs, and as scheduler listener so it closes when the scheduler shuts down (after
     * the last running guarded firing ended). Quartz calls trigger listeners in registration order and stops at the
     * first that throws, so register the guard before other trigger listeners.
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
        guard.start();
        ListenerManager listeners = scheduler.getListenerManager();
        // The release callbacks first: on a running scheduler a firing may come between the two calls.
        listeners.addJobListener(this, guard.config().jobs());
        listeners.addSchedulerListener(new SchedulerListenerSupport() {
            @Override
            public void schedulerShutdown() {
                closeWhenIdle();
            }
        });
        listeners.addTriggerListener(this, EverythingMatcher.allTriggers());
        return this;
    }

    /** The listener name, fixed at {@link Builder#build()}. */
    @Override
    public String getName() {
        return guard.config().name();
    }

    @Override
    public void triggerFired(Trigger trigger, JobExecutionContext context) {}

    @Override
    public boolean vetoJobExecution(Trigger trigger, JobExecutionContext context) {
        return guard.veto(trigger, context);
    }

    /**
     * Notes the misfire, so that the trigger's next firing — which Quartz's default instruction fires "now", at a time
     * on no instance's schedule — is matched in the ledger with the missed firing it stands for. A map update only:
     * this runs on the scheduler thread under the job store's lock.
     */
    @Override
    public void triggerMisfired(Trigger trigger) {
        guard.misfired(trigger);
    }

    /** Nothing to do: the release is in jobWasExecuted, which Quartz calls before this and a veto does not skip. */
    @Override
    public void triggerComplete(
            Trigger trigger, JobExecutionContext context, Trigger.CompletedExecutionInstruction instruction) {}

    @Override
    public void jobToBeExecuted(JobExecutionContext context) {}

    @Override
    public void jobExecutionVetoed(JobExecutionContext context) {
        guard.vetoed(context);
    }

    @Override
    public void jobWasExecuted(JobExecutionContext context, JobExecutionException jobException) {
        guard.executed(context, jobException);
    }

    /**
     * Records the firings still running as finished ({@code UNKNOWN}) and releases their leases, stops the guard's
     * threads and closes a lock client it opened. A firing being let through at that moment is waited for (at most
     * twice the operation timeout plus a second) and then vetoed. Idempotent. Blocks for one ledger statement and one
     * release per running firing, each bounded by the operation timeout.
     */
    @Override
    public void close() {
        guard.close();
    }

    /** The scheduler shuts down: close once the last running guarded firing has ended (at once if none runs). */
    void closeWhenIdle() {
        guard.schedulerShutdown();
    }

    @Override
    public String toString() {
        return "JobLockGuard['" + getName() + "']";
    }

    /** Settings for a {@link JobLockGuard}. Not thread-safe; {@link #build()} validates and freezes them. */
    public static final class Builder {
        private final GuardConfig.Builder config;

        private Builder(GuardConfig.Builder config) {
            this.config = config;
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

        /**
         * Prefix of the lock name {@code <prefix><key>} (default {@code quartz:}), where the key is the job's
         * {@code <group>.<name>} with {@code .} and {@code \} in the group escaped by {@code \}. Use the same prefix
         * on every instance that runs the same jobs.
         */
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
         * Longest a worker thread waits for PostgreSQL to answer a lock or unlock (default 10 s), also the ledger's
         * query timeout. Past it the firing is vetoed and counted as vetoed-error, so a PostgreSQL that stops
         * answering cannot hold Quartz's worker threads; a lease granted after that is released.
         */
        public Builder operationTimeout(Duration timeout) {
            config.operationTimeout(timeout);
            return this;
        }

        /** Instance id of the lock session the guard opens (only with {@link #builder(DataSource)}). */
        public Builder instanceId(String id) {
            config.instanceId(id);
            return this;
        }

        /** Dropwizard registry for per-job metrics {@code baton.quartz.<key>.*} (optional; key as in the lock name). */
        public Builder metrics(com.codahale.metrics.MetricRegistry registry) {
            config.metrics(new DropwizardGuardMetrics(registry));
            return this;
        }

        /** Test seam: recovery retries (not API; the defaults are 60 attempts a second apart). */
        Builder recoveryRetries(int attempts, Duration delay) {
            config.recoveryRetries(attempts, delay);
            return this;
        }

        /**
         * Per-job metrics for any metrics library (optional): {@code baton-micrometer}'s {@code BatonMicrometer} makes
         * one. Replaces an earlier {@link #metrics(com.codahale.metrics.MetricRegistry)}. (Not an overload of
         * {@code metrics}: callers without Dropwizard on their class path could not compile a call to it.)
         */
        public Builder jobMetrics(JobGuardMetrics metrics) {
            Objects.requireNonNull(metrics, "job metrics must not be null; omit the call instead");
            config.metrics(dev.baton.quartz.internal.SpiGuardMetrics.of(metrics));
            return this;
        }

        /**
         * Validates the settings and creates the guard; its threads and lock session start at
         * {@link #registerWith(Scheduler)}.
         *
         * @throws IllegalStateException naming what is missing
         */
        public JobLockGuard build() {
            return new JobLockGuard(config.build());
        }
    }
}
