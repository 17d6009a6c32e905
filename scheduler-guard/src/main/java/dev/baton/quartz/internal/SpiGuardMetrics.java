package dev.baton.quartz.internal;

import dev.baton.quartz.JobGuardMetrics;
import org.quartz.JobKey;

/** The internal seam over a user's {@link JobGuardMetrics}: the guard sees only {@link GuardMetrics}. */
public final class SpiGuardMetrics implements GuardMetrics {
    private final JobGuardMetrics target;

    private SpiGuardMetrics(JobGuardMetrics target) {
        this.target = target;
    }

    public static GuardMetrics of(JobGuardMetrics metrics) {
        return new SpiGuardMetrics(metrics);
    }

    @Override
    public void executed(JobKey job, long runNanos) {
        target.executed(job, runNanos);
    }

    @Override
    public void vetoedLocked(JobKey job) {
        target.vetoedLocked(job);
    }

    @Override
    public void vetoedDuplicate(JobKey job) {
        target.vetoedDuplicate(job);
    }

    @Override
    public void vetoedError(JobKey job) {
        target.vetoedError(job);
    }

    @Override
    public void vetoedNotLeader(JobKey job) {
        target.vetoedNotLeader(job);
    }

    @Override
    public void abandoned(JobKey job) {
        target.abandoned(job);
    }

    @Override
    public void lockLatency(JobKey job, long nanos) {
        target.lockLatency(job, nanos);
    }

    @Override
    public void overhead(JobKey job, long nanos) {
        target.overhead(job, nanos);
    }
}
