package dev.baton.spring.boot.autoconfigure;

import dev.baton.quartz.JobGuardMetrics;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.quartz.JobKey;

/**
 * The Quartz guard's per-job outcome counts for the {@code baton} endpoint, passed on to the meter library's
 * {@link JobGuardMetrics} when there is one. Thread-safe and non-blocking (concurrent map of adders).
 */
final class GuardCounters implements JobGuardMetrics, JobCounts {
    private final JobGuardMetrics next;
    private final Map<String, Map<String, LongAdder>> byJob = new ConcurrentHashMap<>();

    GuardCounters(JobGuardMetrics next) {
        this.next = next;
    }

    private void count(JobKey job, String outcome) {
        byJob.computeIfAbsent(job.getGroup() + "." + job.getName(), k -> new ConcurrentHashMap<>())
                .computeIfAbsent(outcome, k -> new LongAdder())
                .increment();
    }

    /** Counts by job ({@code group.name}) and outcome, sorted. */
    @Override
    public Map<String, Map<String, Long>> snapshot() {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        byJob.forEach((job, outcomes) -> {
            Map<String, Long> counts = new TreeMap<>();
            outcomes.forEach((o, n) -> counts.put(o, n.sum()));
            out.put(job, counts);
        });
        return out;
    }

    @Override
    public void executed(JobKey job, long runNanos) {
        count(job, "executed");
        next.executed(job, runNanos);
    }

    @Override
    public void vetoedLocked(JobKey job) {
        count(job, "vetoed-locked");
        next.vetoedLocked(job);
    }

    @Override
    public void vetoedDuplicate(JobKey job) {
        count(job, "vetoed-duplicate");
        next.vetoedDuplicate(job);
    }

    @Override
    public void vetoedError(JobKey job) {
        count(job, "vetoed-error");
        next.vetoedError(job);
    }

    @Override
    public void vetoedNotLeader(JobKey job) {
        count(job, "vetoed-not-leader");
        next.vetoedNotLeader(job);
    }

    @Override
    public void abandoned(JobKey job) {
        count(job, "abandoned");
        next.abandoned(job);
    }

    @Override
    public void lockLatency(JobKey job, long nanos) {
        next.lockLatency(job, nanos);
    }

    @Override
    public void overhead(JobKey job, long nanos) {
        next.overhead(job, nanos);
    }
}
