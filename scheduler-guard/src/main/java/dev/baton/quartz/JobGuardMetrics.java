package dev.baton.quartz;

import org.quartz.JobKey;

/**
 * Receives the Quartz guard's per-job counts and timings: the public metrics seam ({@code baton-micrometer} implements
 * it; Dropwizard sits behind {@link JobLockGuard.Builder#metrics(com.codahale.metrics.MetricRegistry)}). Every method has
 * an empty default. Job keys are bounded by the application's jobs, so they may be meter tags.
 *
 * <p>Called on Quartz worker threads at once: implementations must be thread-safe, must not block and must not throw
 * (the guard catches what they throw, but counts the firing as an error).
 */
public interface JobGuardMetrics {

    /** A guarded firing of {@code job} ran (also when it threw); it took {@code runNanos}. */
    default void executed(JobKey job, long runNanos) {}

    /** A firing was vetoed: another instance, or another firing here, held the job's lock. */
    default void vetoedLocked(JobKey job) {}

    /** A firing was vetoed: the ledger had already recorded this scheduled firing. */
    default void vetoedDuplicate(JobKey job) {}

    /** A firing was vetoed because the lock or the ledger failed (fail closed). */
    default void vetoedError(JobKey job) {}

    /** A firing was vetoed in leader-only mode: this instance does not lead. */
    default void vetoedNotLeader(JobKey job) {}

    /** A firing let through was never ended by Quartz; the guard released its lock itself. */
    default void abandoned(JobKey job) {}

    /** Taking the job's lock took {@code nanos}. */
    default void lockLatency(JobKey job, long nanos) {}

    /** Time the guard added to a firing: veto (lock and ledger) plus release (ledger and unlock). */
    default void overhead(JobKey job, long nanos) {}
}
