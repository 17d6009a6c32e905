package dev.baton.examples.demo;

import com.codahale.metrics.MetricRegistry;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.JobKey;
import org.quartz.listeners.JobListenerSupport;

/**
 * Reports each vetoed firing with the guard's reason, read from the guard's own counters: the guard counts its veto
 * in {@code vetoJobExecution}, before Quartz tells job listeners of it, and one job's firings on one node never run at
 * once (a second apart, each a few milliseconds), so the counter that moved since the last veto of that job says why.
 */
final class VetoRecorder extends JobListenerSupport {
    private static final String[] REASONS = {"vetoed-locked", "vetoed-duplicate", "vetoed-error"};
    private final MetricRegistry metrics;
    private final java.util.Map<String, Long> seen = new java.util.concurrent.ConcurrentHashMap<>();

    VetoRecorder(MetricRegistry metrics) {
        this.metrics = metrics;
    }

    @Override
    public String getName() {
        return "baton-demo-veto-recorder";
    }

    @Override
    public void jobExecutionVetoed(JobExecutionContext context) {
        JobKey job = context.getJobDetail().getKey();
        String why = "OTHER";
        for (String reason : REASONS) {
            String name = MetricRegistry.name("baton.quartz", job.getGroup(), job.getName(), reason);
            long count = metrics.counter(name).getCount();
            Long before = seen.put(name, count);
            if (count > (before == null ? 0 : before)) {
                why = reason.substring("vetoed-".length()).toUpperCase(java.util.Locale.ROOT);
            }
        }
        NodeProtocol.emit(
                "VETO",
                job.getName(),
                context.getScheduledFireTime().toInstant().toEpochMilli(),
                why);
    }

    @Override
    public void jobWasExecuted(JobExecutionContext context, JobExecutionException jobException) {}
}
