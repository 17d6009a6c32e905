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
    final String jobKey; // the ledger's job_key: group.name
    final Instant scheduledFireTime;
    final Thread worker;
    final long startNanos;
    private final AtomicReference<LockLease> lease;
    private final AtomicBoolean endRecorded = new AtomicBoolean();
    volatile boolean inLedger;
    volatile long vetoNanos;

    Firing(JobKey job, LockLease lease, Instant scheduledFireTime, long startNanos) {
        this.job = job;
        this.jobKey = job.getGroup() + "." + job.getName();
        this.lease = new AtomicReference<>(lease);
        this.scheduledFireTime = scheduledFireTime;
        this.worker = Thread.currentThread();
        this.startNanos = startNanos;
    }

    /** Releases the lease through {@code leases}; only the first call does, later ones (from any thread) do nothing. */
    void releaseLease(JobLeases leases) {
        LockLease held = lease.getAndSet(null);
        if (held != null) {
            leases.release(held);
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
