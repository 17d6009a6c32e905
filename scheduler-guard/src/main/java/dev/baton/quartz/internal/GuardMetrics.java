package dev.baton.quartz.internal;

import org.quartz.JobKey;

/**
 * The guard's one metrics seam: per-job counters and timers. {@link #NONE} when no registry was given; the Dropwizard
 * implementation is in {@code internal.dropwizard}, and other libraries sit behind this same interface.
 * Implementations are thread-safe and never block.
 */
public interface GuardMetrics {
    GuardMetrics NONE = new GuardMetrics() {};

    default void executed(JobKey job, long runNanos) {}

    default void vetoedLocked(JobKey job) {}

    default void vetoedDuplicate(JobKey job) {}

    default void vetoedError(JobKey job) {}

    default void vetoedNotLeader(JobKey job) {}

    default void abandoned(JobKey job) {}

    /** A firing the guard let through that another trigger listener vetoed: it did not run here. */
    default void vetoedByListener(JobKey job) {}

    /** The recovery of an ABANDONED firing was given up: its row stays ABANDONED. */
    default void recoveryGaveUp(JobKey job) {}

    default void lockLatency(JobKey job, long nanos) {}

    /** Time the guard added to a firing: veto (lock + ledger) plus release (ledger + unlock). */
    default void overhead(JobKey job, long nanos) {}
}
