package dev.baton.micrometer;

import dev.baton.quartz.JobGuardMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.concurrent.TimeUnit;
import org.quartz.JobKey;

/**
 * The Quartz guard's meters, tagged with the job ({@code group.name}, bounded by the application's jobs) and, for
 * firings, the outcome. Meters are looked up per call: the job set is not known in advance, and the registry caches
 * them. Thread-safe.
 */
final class MicrometerJobMetrics implements JobGuardMetrics {
    private final MeterRegistry registry;

    MicrometerJobMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    private static Tags job(JobKey job) {
        return Tags.of("job", job.getGroup() + "." + job.getName());
    }

    private void firing(JobKey job, String outcome) {
        registry.counter("baton.quartz.firings", job(job).and("outcome", outcome))
                .increment();
    }

    @Override
    public void executed(JobKey job, long runNanos) {
        firing(job, "executed");
        registry.timer("baton.quartz.run", job(job)).record(runNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void vetoedLocked(JobKey job) {
        firing(job, "vetoed-locked");
    }

    @Override
    public void vetoedDuplicate(JobKey job) {
        firing(job, "vetoed-duplicate");
    }

    @Override
    public void vetoedError(JobKey job) {
        firing(job, "vetoed-error");
    }

    @Override
    public void vetoedNotLeader(JobKey job) {
        firing(job, "vetoed-not-leader");
    }

    @Override
    public void abandoned(JobKey job) {
        firing(job, "abandoned");
    }

    @Override
    public void lockLatency(JobKey job, long nanos) {
        registry.timer("baton.quartz.lock.latency", job(job)).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void overhead(JobKey job, long nanos) {
        registry.timer("baton.quartz.overhead", job(job)).record(nanos, TimeUnit.NANOSECONDS);
    }
}
