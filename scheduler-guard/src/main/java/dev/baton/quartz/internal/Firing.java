package dev.baton.quartz.internal;

import dev.baton.lock.DistributedLock;
import java.time.Instant;
import org.quartz.JobKey;

/** One firing this guard let through: what it holds until the release. Kept in the firing's context map. */
final class Firing {
    final JobKey job;
    final String lockName;
    final String jobKey; // the ledger's job_key: group.name
    final DistributedLock lock; // null in leader-only mode
    final Instant scheduledFireTime;
    final Thread worker;
    final long startNanos;
    volatile boolean inLedger;
    volatile long vetoNanos;

    Firing(JobKey job, String lockName, String jobKey, DistributedLock lock, Instant scheduledFireTime, long start) {
        this.job = job;
        this.lockName = lockName;
        this.jobKey = jobKey;
        this.lock = lock;
        this.scheduledFireTime = scheduledFireTime;
        this.worker = Thread.currentThread();
        this.startNanos = start;
    }

    @Override
    public String toString() {
        return "firing of " + jobKey + " scheduled at " + scheduledFireTime + " on " + worker.getName();
    }
}
