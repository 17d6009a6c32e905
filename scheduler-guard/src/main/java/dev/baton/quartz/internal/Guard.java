package dev.baton.quartz.internal;

import dev.baton.lock.LockClient;
import dev.baton.lock.LockLease;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.JobKey;
import org.quartz.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work behind {@code JobLockGuard}. For each firing of a matched job, on the Quartz worker thread:
 *
 * <ol>
 *   <li>Leader-only mode: not leader → veto (vetoed-not-leader).
 *   <li>{@link LockClient#tryAcquire(String)} the job's lease ({@link JobKeys}: a key no other job shares; also the
 *       lock older versions named the job by, where that still stands for this job alone), without waiting for another
 *       holder and waiting at most the operation timeout for PostgreSQL ({@link JobLeases}); not acquired → veto
 *       (vetoed-locked). Leases are not
 *       re-entrant, so another firing of the job in this JVM is vetoed here too. In leader-only mode the lease comes
 *       from an in-memory client: it only keeps this JVM's firings of a job apart.
 *   <li>Ledger on: mark the job's unfinished rows ABANDONED (the lock was free, so their runner is gone; a
 *       {@code requestsRecovery} job gets a recovery firing), then insert {@code (job, scheduled fire time)}, where the
 *       first firing of a trigger after a misfire stands for the missed firing it replaces ({@link Misfires}); it
 *       already exists (also under the job's legacy key) → release, veto (vetoed-duplicate).
 *   <li>Carry the {@link Firing} in the context; the job runs.
 *   <li>{@code jobWasExecuted} / {@code jobExecutionVetoed}: record the outcome in the ledger, then release the lease.
 *       A veto by another listener leaves the row VETOED (no other instance runs it), counted and logged.
 * </ol>
 *
 * Any failure vetoes the firing (vetoed-error), releases what was taken, and is logged once per outage. Nothing is
 * thrown out of a listener method. Thread-safe. A veto or release blocks the worker for at most the operation timeout
 * per lock call plus the ledger's statements (each bounded by the same timeout as a query timeout).
 */
public final class Guard {
    private static final Logger log = LoggerFactory.getLogger(Guard.class);
    private static final String FIRING = "dev.baton.quartz.firing";
    private static final String STANDS_FOR = "dev.baton.quartz.standsFor";

    private enum State {
        LATENT,
        STARTED,
        CLOSED
    }

    private final GuardConfig config;
    private final GuardMetrics metrics;
    private final OutageLog outage;
    private final LedgerKeeper ledger; // null when off
    private final Recovery recovery;
    private final RunningFirings running = new RunningFirings();
    private final VetoesInFlight vetoes = new VetoesInFlight();
    private final Misfires misfires = new Misfires();
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private volatile boolean shutdownRequested;
    private volatile LockClient client; // set once in start
    private volatile JobLeases leases; // set once in start

    public Guard(GuardConfig config) {
        this.config = config;
        this.metrics = config.metrics;
        this.outage = new OutageLog(config.name);
        this.recovery = new Recovery(config.name, config.metrics, config.recoveryAttempts, config.recoveryRetryDelay);
        this.ledger = config.ledgerDataSource == null ? null : new LedgerKeeper(config, metrics, recovery);
    }

    public GuardConfig config() {
        return config;
    }

    /** Starts the lock and purge threads and obtains the lock client; idempotent. */
    public void start() {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            return;
        }
        LockClient c = config.lockClient.get();
        client = c;
        leases = new JobLeases(c, config.name, config.operationTimeout);
        if (ledger != null) {
            ledger.start(config.leaderGate != null ? config.leaderGate.instanceId() : c.instanceId());
        }
    }

    /** The veto hook: true vetoes the firing. Never throws. */
    public boolean veto(Trigger trigger, JobExecutionContext context) {
        vetoes.enter();
        try {
            return guard(trigger, context);
        } finally {
            vetoes.exit();
        }
    }

    private boolean guard(Trigger trigger, JobExecutionContext context) {
        final long t0 = System.nanoTime();
        JobKey job = null;
        Firing firing = null;
        try {
            // Any firing on this worker, guarded or not, proves that its earlier guarded one has ended.
            releaseLeaked();
            job = context.getJobDetail().getKey();
            if (!config.jobs.isMatch(job)) {
                return false;
            }
            checkStarted();
            Instant recoveryOf = Recovery.recoveryOf(trigger);
            Instant fireTime = recoveryOf != null ? recoveryOf : standsFor(trigger, context, job);
            if (config.leaderGate != null && !config.leaderGate.isLeader()) {
                metrics.vetoedNotLeader(job);
                return true;
            }
            String key = JobKeys.of(job);
            String legacyKey = JobKeys.legacyOf(job, context.getScheduler());
            long lockStart = System.nanoTime();
            LockLease lease = leases.tryAcquire(config.lockPrefix + key).orElse(null);
            if (lease != null) { // held from here: recorded at once, so the catch below and close() can release it
                firing = new Firing(job, key, legacyKey, lease, fireTime, t0);
                running.add(firing);
                if (legacyKey != null && !takeLegacyLock(firing)) {
                    release(firing);
                    firing = null;
                }
            }
            metrics.lockLatency(job, System.nanoTime() - lockStart);
            if (firing == null) {
                if (config.leaderGate == null) {
                    outage.succeeded(); // PostgreSQL answered (in leader-only mode the lease is in memory)
                }
                metrics.vetoedLocked(job);
                recovery.retryLater(context, recoveryOf);
                return true;
            }
            checkStarted(); // after add: a close() that ran before it cannot have seen this firing's lease
            if (ledger != null && !ledger.claim(firing, context, recoveryOf)) {
                release(firing);
                outage.succeeded();
                metrics.vetoedDuplicate(job);
                if (recoveryOf == null
                        && !fireTime.equals(context.getScheduledFireTime().toInstant())) {
                    log.warn(
                            "Guard '{}' refused a misfired firing of {}: fired late at {} (misfire policy), it stands"
                                    + " for the firing scheduled at {}, which the ledger already has; vetoed as a"
                                    + " duplicate",
                            config.name,
                            key,
                            context.getScheduledFireTime().toInstant(),
                            fireTime);
                }
                return true;
            }
            outage.succeeded();
            if (state.get() != State.STARTED) {
                // close() ran while we claimed; it waits for this veto, so the row is finished while the ledger is
                // open, and this firing does not start without its lease.
                finish(firing, "VETOED");
                metrics.vetoedError(job);
                return true;
            }
            context.put(FIRING, firing);
            firing.vetoNanos = System.nanoTime() - t0;
            return false;
        } catch (Throwable t) {
            try {
                if (firing != null) {
                    finish(firing, "VETOED"); // a row already claimed must not stay open: the job does not run
                }
            } catch (Throwable again) {
                t.addSuppressed(again);
            }
            try {
                metrics.vetoedError(job);
                outage.failed("guarding a firing of " + job, t);
                // A recovery firing that failed is tried again (and given up on with an ERROR), never dropped silently.
                recovery.retryLater(context, Recovery.recoveryOf(trigger));
            } catch (Throwable ignored) {
                // never throw out of a listener
            }
            return true;
        }
    }

    /**
     * The scheduled fire time the firing stands for in the ledger: after a misfire whose instruction fires "now", the
     * missed firing it replaces ({@link Misfires}). Kept in the context, so a {@code refireImmediately} re-execution of
     * the same firing reopens the same row.
     */
    private Instant standsFor(Trigger trigger, JobExecutionContext context, JobKey job) {
        if (context.get(STANDS_FOR) instanceof Instant known) {
            return known;
        }
        Instant scheduled = context.getScheduledFireTime().toInstant();
        Instant standsFor = misfires.standsFor(trigger, context);
        if (!standsFor.equals(scheduled)) {
            log.info(
                    "Guard '{}': the firing of {} at {} replaces misfired firings (misfire policy); it stands for the"
                            + " firing scheduled at {}",
                    config.name,
                    job,
                    scheduled,
                    standsFor);
        }
        context.put(STANDS_FOR, standsFor);
        return standsFor;
    }

    /** Takes the legacy lock too (see {@link JobKeys}); false, with nothing more held, if it is busy. */
    private boolean takeLegacyLock(Firing firing) {
        LockLease legacy =
                leases.tryAcquire(config.lockPrefix + firing.legacyKey).orElse(null);
        if (legacy == null) {
            return false;
        }
        firing.addLegacyLease(legacy);
        return true;
    }

    /** {@code triggerMisfired}: on the scheduler thread under the job store's lock, so only a map update. */
    public void misfired(Trigger trigger) {
        try {
            // A recovery firing stands for its ABANDONED row whatever its fire time: nothing to match.
            if (config.jobs.isMatch(trigger.getJobKey())
                    && !Recovery.GROUP.equals(trigger.getKey().getGroup())) {
                misfires.record(trigger);
            }
        } catch (Throwable t) {
            log.warn("Guard '{}' could not note the misfire of {}", config.name, trigger.getKey(), t);
        }
    }

    /** {@code jobWasExecuted}: record the outcome and release. Never throws. */
    public void executed(JobExecutionContext context, JobExecutionException exception) {
        end(context, exception == null ? "SUCCEEDED" : "FAILED", true);
    }

    /**
     * {@code jobExecutionVetoed}: another listener vetoed after we let the firing through. Its row stays, as
     * {@code VETOED}, so that no instance runs the firing again; that it never ran is counted and logged. Never throws.
     */
    public void vetoed(JobExecutionContext context) {
        Object o = context.get(FIRING);
        if (o instanceof Firing firing) {
            try {
                metrics.vetoedByListener(firing.job);
                log.warn(
                        "Guard '{}': another trigger listener vetoed the {} after the guard let it through; it does not"
                                + " run here, and {}",
                        config.name,
                        firing,
                        firing.inLedger
                                ? "the ledger records it as VETOED, so no other instance runs it either"
                                : "without the ledger another instance may still run it");
            } catch (Throwable t) {
                // never throw out of a listener; the release below matters more
            }
        }
        end(context, "VETOED", false);
    }

    /** The scheduler is shutting down: close once the last running firing has ended. */
    public void schedulerShutdown() {
        shutdownRequested = true;
        closeIfIdle();
    }

    /** Gives back the leases of running firings, stops threads, closes the ledger and an owned client. Idempotent. */
    public void close() {
        if (state.getAndSet(State.CLOSED) != State.STARTED) {
            return;
        }
        // A firing being let through right now must finish: it either records its claim (and is then released
        // below) or sees CLOSED and vetoes itself with its row finished, while the ledger is still open.
        Duration bound = config.operationTimeout.multipliedBy(2).plusSeconds(1);
        if (!vetoes.awaitOthers(bound)) {
            log.warn("Guard '{}' closed while a firing was still being let through after {}", config.name, bound);
        }
        // Closed while firings still run (an explicit close): give their leases back so other instances are not kept
        // out for as long as the client lives. Each row is finished first (UNKNOWN: the end will not be recorded),
        // because the next holder must never see it unfinished: with no session left for this instance it would
        // take the firing as ABANDONED and run it again. Their callbacks still come and find nothing left to do.
        for (Firing firing : running.all()) {
            try {
                if (ledger != null && firing.claimEndRecord()) {
                    ledger.finish(firing, "UNKNOWN");
                }
            } catch (Throwable t) {
                log.warn("Guard '{}' could not record the end of the {} at close", config.name, firing, t);
            }
            try {
                firing.releaseLease(leases);
            } catch (RuntimeException e) {
                log.warn("Guard '{}' could not release the lock of the {} at close", config.name, firing, e);
            }
        }
        // Null checks: a start() that failed to open the lock client left them unset.
        if (leases != null) {
            leases.close();
        }
        if (ledger != null) {
            ledger.close();
        }
        if (config.ownsLockClient && client != null) {
            client.close();
        }
    }

    private void checkStarted() {
        if (state.get() != State.STARTED) {
            throw new IllegalStateException("guard '" + config.name + "' is " + state.get());
        }
    }

    private void end(JobExecutionContext context, String outcome, boolean ran) {
        try {
            Object o = context.get(FIRING);
            if (!(o instanceof Firing firing)) {
                return;
            }
            context.put(FIRING, null);
            long runNanos = System.nanoTime() - firing.startNanos - firing.vetoNanos;
            long t0 = System.nanoTime();
            finish(firing, outcome); // first: a metrics failure must never keep the lock or leave the row open
            try {
                if (ran) {
                    metrics.executed(firing.job, runNanos);
                }
                metrics.overhead(firing.job, firing.vetoNanos + System.nanoTime() - t0);
            } catch (RuntimeException e) {
                log.warn("Guard '{}' could not record metrics of the {}", config.name, firing, e);
            }
        } catch (Throwable t) {
            log.error("Guard '{}' failed to end a firing; ignored so Quartz carries on", config.name, t);
        }
    }

    /** Ledger first (so the next holder never sees our row unfinished), then the lease. */
    private void finish(Firing firing, String outcome) {
        try {
            if (firing.claimEndRecord()) {
                ledger.finish(firing, outcome);
            }
        } catch (Throwable t) {
            outage.failed("recording the end of the " + firing, t);
        }
        try {
            release(firing);
        } catch (Throwable t) {
            log.warn("Guard '{}' could not release the lock of the {}", config.name, firing, t);
        }
    }

    private void release(Firing firing) {
        try {
            firing.releaseLease(leases);
        } finally {
            running.remove(firing);
            closeIfIdle();
        }
    }

    /**
     * A worker starting a new firing while an earlier one of its is still running: a later listener threw after ours
     * let it through, so Quartz called no release callback. Release it now.
     */
    private void releaseLeaked() {
        Firing leaked = running.takeLeftOverOfThisWorker();
        if (leaked != null) {
            log.warn(
                    "Guard '{}': the {} got no jobWasExecuted/jobExecutionVetoed callback (another listener threw?);"
                            + " releasing it now",
                    config.name,
                    leaked);
            finish(leaked, "UNKNOWN");
        }
    }

    private void closeIfIdle() {
        if (shutdownRequested && running.isEmpty()) {
            close();
        }
    }
}
