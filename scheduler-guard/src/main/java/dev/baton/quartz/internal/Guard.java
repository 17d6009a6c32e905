package dev.baton.quartz.internal;

import dev.baton.lock.DistributedLock;
import dev.baton.lock.LockClient;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 *   <li>Another firing of the job active in this guard → veto (vetoed-locked).
 *   <li>Leader-only mode: not leader → veto (vetoed-not-leader). Otherwise {@code tryLock} the job's lock, without
 *       waiting, on the {@link LockOwner} thread; not acquired → veto (vetoed-locked).
 *   <li>Ledger on: mark the job's unfinished rows ABANDONED (the lock was free, so their runner is gone; a
 *       {@code requestsRecovery} job gets a recovery firing), then insert {@code (job, scheduled fire time)}; it
 *       already exists → release, veto (vetoed-duplicate).
 *   <li>Carry the {@link Firing} in the context; the job runs.
 *   <li>{@code jobWasExecuted} / {@code jobExecutionVetoed}: record the outcome in the ledger, then release the lock.
 * </ol>
 *
 * Any failure vetoes the firing (vetoed-error), releases what was taken, and is logged once per outage. Nothing is
 * thrown out of a listener method.
 */
public final class Guard {
    private static final Logger log = LoggerFactory.getLogger(Guard.class);
    private static final String FIRING = "dev.baton.quartz.firing";

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
    private final Map<String, Firing> active = new ConcurrentHashMap<>(); // by lock name
    private final Map<Thread, Firing> byWorker = new ConcurrentHashMap<>();
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private volatile boolean shutdownRequested;
    private volatile LockClient client; // set once in start
    private volatile LockOwner owner; // set once in start

    Guard(GuardConfig config) {
        this.config = config;
        this.metrics = GuardMetrics.create(config.metricRegistry);
        this.outage = new OutageLog(config.name);
        this.recovery = new Recovery(config.name);
        this.ledger = config.ledgerDataSource == null ? null : new LedgerKeeper(config, metrics, recovery);
    }

    GuardConfig config() {
        return config;
    }

    /** Starts the owner and purge threads and obtains the lock client; idempotent. */
    void start() {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            return;
        }
        LockClient c = config.lockClient == null ? null : config.lockClient.get();
        client = c;
        String instanceId = c != null ? c.instanceId() : config.leaderGate.instanceId();
        owner = new LockOwner(config.name, config.operationTimeout);
        if (ledger != null) {
            ledger.start(instanceId);
        }
    }

    /** The veto hook: true vetoes the firing. Never throws. */
    public boolean veto(Trigger trigger, JobExecutionContext context) {
        final long t0 = System.nanoTime();
        JobKey job = null;
        Firing firing = null;
        boolean locked = false;
        try {
            job = context.getJobDetail().getKey();
            if (!config.jobs.isMatch(job)) {
                return false;
            }
            releaseLeaked();
            if (state.get() != State.STARTED) {
                throw new IllegalStateException("guard '" + config.name + "' is " + state.get());
            }
            String lockName = config.lockPrefix + job.getGroup() + "." + job.getName();
            Instant recoveryOf = Recovery.recoveryOf(trigger);
            Instant fireTime = recoveryOf != null
                    ? recoveryOf
                    : context.getScheduledFireTime().toInstant();
            DistributedLock lock = config.leaderGate == null ? client.lock(lockName) : null;
            firing = new Firing(job, lockName, job.getGroup() + "." + job.getName(), lock, fireTime, t0);
            if (active.putIfAbsent(lockName, firing) != null) {
                firing = null;
                metrics.vetoedLocked(job);
                recovery.retryLater(context, recoveryOf);
                return true;
            }
            if (config.leaderGate != null) {
                if (!config.leaderGate.isLeader()) {
                    active.remove(lockName, firing);
                    metrics.vetoedNotLeader(job);
                    return true;
                }
            } else {
                long lockStart = System.nanoTime();
                locked = owner.tryLock(lock);
                metrics.lockLatency(job, System.nanoTime() - lockStart);
                if (!locked) {
                    active.remove(lockName, firing);
                    outage.succeeded();
                    metrics.vetoedLocked(job);
                    recovery.retryLater(context, recoveryOf);
                    return true;
                }
            }
            if (ledger != null && !ledger.claim(firing, context, recoveryOf)) {
                release(firing, locked);
                outage.succeeded();
                metrics.vetoedDuplicate(job);
                return true;
            }
            outage.succeeded();
            byWorker.put(Thread.currentThread(), firing);
            context.put(FIRING, firing);
            firing.vetoNanos = System.nanoTime() - t0;
            return false;
        } catch (Throwable t) {
            if (firing != null) {
                try {
                    release(firing, locked);
                } catch (Throwable again) {
                    t.addSuppressed(again);
                }
            }
            try {
                metrics.vetoedError(job);
                outage.failed("guarding a firing of " + job, t);
            } catch (Throwable ignored) {
                // never throw out of a listener
            }
            return true;
        }
    }

    /** {@code jobWasExecuted}: record the outcome and release. Never throws. */
    public void executed(JobExecutionContext context, JobExecutionException exception) {
        end(context, exception == null ? "SUCCEEDED" : "FAILED", true);
    }

    /** {@code jobExecutionVetoed}: another listener vetoed after we let the firing through. Never throws. */
    public void vetoed(JobExecutionContext context) {
        end(context, "VETOED", false);
    }

    /** The scheduler is shutting down: close once the last active firing has ended. */
    void schedulerShutdown() {
        shutdownRequested = true;
        closeIfIdle();
    }

    /** Stops threads, closes the ledger connection and an owned lock client. Idempotent. */
    void close() {
        if (state.getAndSet(State.CLOSED) != State.STARTED) {
            return;
        }
        // Closed while firings still run (an explicit close): give their locks back so other instances are not kept
        // out for as long as our client lives; their ledger rows are finished by the callbacks that still come.
        for (Firing firing : active.values()) {
            if (firing.lock != null) {
                try {
                    owner.unlock(firing.lock);
                } catch (RuntimeException e) {
                    log.warn("Guard '{}' could not release the lock of the {} at close", config.name, firing, e);
                }
            }
        }
        owner.close();
        if (ledger != null) {
            ledger.close();
        }
        if (config.ownsLockClient && client != null) {
            client.close();
        }
    }

    private void end(JobExecutionContext context, String outcome, boolean ran) {
        try {
            Object o = context.get(FIRING);
            if (!(o instanceof Firing firing)) {
                return;
            }
            context.put(FIRING, null);
            byWorker.remove(firing.worker, firing);
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

    /** Ledger first (so the next holder never sees our row unfinished), then the lock, then the active entry. */
    private void finish(Firing firing, String outcome) {
        try {
            if (firing.inLedger) {
                ledger.finish(firing, outcome);
            }
        } catch (Throwable t) {
            outage.failed("recording the end of the " + firing, t);
        }
        try {
            release(firing, firing.lock != null);
        } catch (Throwable t) {
            log.warn("Guard '{}' could not release the lock of the {}", config.name, firing, t);
        }
    }

    private void release(Firing firing, boolean locked) {
        try {
            if (locked) {
                owner.unlock(firing.lock);
            }
        } finally {
            active.remove(firing.lockName, firing);
            closeIfIdle();
        }
    }

    /**
     * A worker starting a new firing while an earlier one of its is still active: a later listener threw after ours let
     * it through, so Quartz called no release callback. Release it now.
     */
    private void releaseLeaked() {
        Firing leaked = byWorker.remove(Thread.currentThread());
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
        if (shutdownRequested && active.isEmpty()) {
            close();
        }
    }
}
