package dev.baton.quartz.internal;

import org.quartz.JobKey;

/** Per-job counters and timers of a guard; {@link #NONE} when no registry was given. Implementations are thread-safe. */
interface GuardMetrics {
    GuardMetrics NONE = new GuardMetrics() {};

    /** A metrics sink for {@code registry} (a {@code com.codahale.metrics.MetricRegistry}), or {@link #NONE}. */
    static GuardMetrics create(Object registry) {
        // Only touch the Dropwizard class when a registry was given: metrics-core is optional.
        return registry == null ? NONE : new DropwizardGuardMetrics(registry);
    }

    default void executed(JobKey job, long runNanos) {}

    default void vetoedLocked(JobKey job) {}

    default void vetoedDuplicate(JobKey job) {}

    default void vetoedError(JobKey job) {}

    default void vetoedNotLeader(JobKey job) {}

    default void abandoned(JobKey job) {}

    default void lockLatency(JobKey job, long nanos) {}

    /** Time the guard added to a firing: veto (lock + ledger) plus release (ledger + unlock). */
    default void overhead(JobKey job, long nanos) {}
}
