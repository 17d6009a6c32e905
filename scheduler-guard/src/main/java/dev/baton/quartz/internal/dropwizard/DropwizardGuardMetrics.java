package dev.baton.quartz.internal.dropwizard;

import com.codahale.metrics.MetricRegistry;
import dev.baton.quartz.internal.GuardMetrics;
import dev.baton.quartz.internal.JobKeys;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.quartz.JobKey;

/**
 * Dropwizard metrics named {@code baton.quartz.<job key>.<metric>} (see {@link JobKeys}): counters {@code executed},
 * {@code vetoed-locked}, {@code vetoed-duplicate}, {@code vetoed-error}, {@code vetoed-not-leader}, {@code vetoed-by-listener}, {@code abandoned}, {@code recovery-gave-up};
 * timers {@code lock-latency}, {@code run-time} and {@code overhead} (veto plus release). Thread-safe, non-blocking.
 *
 * <p>The only class of the guard that touches Dropwizard, and loaded only when a registry is given: metrics-core is
 * optional at run time.
 */
public final class DropwizardGuardMetrics implements GuardMetrics {
    private final MetricRegistry registry;

    public DropwizardGuardMetrics(MetricRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "metrics registry must not be null");
    }

    static String name(JobKey job, String metric) {
        // The job's unique key, not group and name joined: a.b/c and a/b.c must not share counters.
        return MetricRegistry.name("baton.quartz", JobKeys.of(job), metric);
    }

    @Override
    public void executed(JobKey job, long runNanos) {
        registry.counter(name(job, "executed")).inc();
        registry.timer(name(job, "run-time")).update(runNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void vetoedLocked(JobKey job) {
        registry.counter(name(job, "vetoed-locked")).inc();
    }

    @Override
    public void vetoedDuplicate(JobKey job) {
        registry.counter(name(job, "vetoed-duplicate")).inc();
    }

    @Override
    public void vetoedError(JobKey job) {
        registry.counter(name(job, "vetoed-error")).inc();
    }

    @Override
    public void vetoedNotLeader(JobKey job) {
        registry.counter(name(job, "vetoed-not-leader")).inc();
    }

    @Override
    public void abandoned(JobKey job) {
        registry.counter(name(job, "abandoned")).inc();
    }

    @Override
    public void vetoedByListener(JobKey job) {
        registry.counter(name(job, "vetoed-by-listener")).inc();
    }

    @Override
    public void recoveryGaveUp(JobKey job) {
        registry.counter(name(job, "recovery-gave-up")).inc();
    }

    @Override
    public void lockLatency(JobKey job, long nanos) {
        registry.timer(name(job, "lock-latency")).update(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void overhead(JobKey job, long nanos) {
        registry.timer(name(job, "overhead")).update(nanos, TimeUnit.NANOSECONDS);
    }
}
