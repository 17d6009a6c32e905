package dev.baton.quartz.internal;

import dev.baton.lock.LockLease;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.quartz.JobKey;

/**
 * One firing this guard let through, and the job lease it holds until the release. Kept in the firing's context map
 * and in the guard's table of running firings. Thread-safe: the release may come from the worker, from the same
 * worker's next firing, or from {@code close()} on any thread, and the lease is handed out to exactly one of them.
 */
final class Firing {
    final JobKey job;
    final String jobKey; // the ledger's job_key, JobKeys.of
    final String legacyKey; // JobKeys.legacyOf: its rows are honoured and its lock taken too; null if none
    final Instant scheduledFireTime;
    final Thread worker;
    final long startNanos;
    private final AtomicReference<LockLease> lease;
    private final AtomicReference<LockLease> legacyLease = new AtomicReference<>();
    private final AtomicBoolean endRecorded = new AtomicBoolean();
    volatile boolean inLedger;
    volatile long vetoNanos;

    Firing(JobKey job, String jobKey, String legacyKey, LockLease lease, Instant scheduledFireTime, long startNanos) {
        this.job = job;
        this.jobKey = jobKey;
        this.legacyKey = legacyKey;
        this.lease = new AtomicReference<>(lease);
        this.scheduledFireTime = scheduledFireTime;
        this.worker = Thread.currentThread();
        this.startNanos = startNanos;
    }

    /** Adds the lease of the legacy lock, which is then released with the job's. */
    void addLegacyLease(LockLease legacy) {
        legacyLease.set(legacy);
    }

    /**
     * Releases the leases through {@code leases}, the legacy one first (it was taken last); only the first call does,
     * later ones (from any thread) do nothing.
     */
    void releaseLease(JobLeases leases) {
        LockLease legacy = legacyLease.getAndSet(null);
        LockLease held = lease.getAndSet(null);
        try {
            if (legacy != null) {
                leases.release(legacy);
            }
        } finally {
            if (held != null) {
                leases.release(held);
            }
        }
    }

    /** Whether the caller is the one to record this firing's end in the ledger: true for the first caller only. */
    boolean claimEndRecord() {
        return inLedger && endRecorded.compareAndSet(false, true);
    }

    @Override
    public String toString() {
        return "firing of " + jobKey + " scheduled at " + scheduledFireTime + " on " + worker.getName();
    }
}
