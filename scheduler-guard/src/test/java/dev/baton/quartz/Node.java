package dev.baton.quartz;

import com.codahale.metrics.MetricRegistry;
import dev.baton.testkit.PostgresServer;
import java.util.function.UnaryOperator;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;

/** One "instance": a RAMJobStore scheduler with its own guard (own lock session) and metrics. */
final class Node implements AutoCloseable {
    final Scheduler scheduler;
    final MetricRegistry metrics;
    final JobLockGuard guard;

    private Node(Scheduler scheduler, JobLockGuard guard, MetricRegistry metrics) {
        this.scheduler = scheduler;
        this.guard = guard;
        this.metrics = metrics;
    }

    /** A node whose guard is {@code JobLockGuard.builder(server.dataSource())} plus {@code config}. */
    static Node create(
            PostgresServer server, String name, int threads, String ledger, UnaryOperator<JobLockGuard.Builder> config)
            throws SchedulerException {
        MetricRegistry registry = new MetricRegistry();
        JobLockGuard guard = config.apply(JobLockGuard.builder(server.dataSource())
                        .instanceId(name)
                        .ledgerTable(ledger)
                        .metrics(registry))
                .build();
        return new Node(Schedulers.create(name, threads), guard, registry);
    }

    /** A scheduler configured elsewhere (no guard of ours), for the trigger-state helpers. */
    static Node wrap(Scheduler scheduler) {
        return new Node(scheduler, null, new MetricRegistry());
    }

    /** Registers the guard (after any listeners the test added first) and starts the scheduler. */
    Node start() throws SchedulerException {
        guard.registerWith(scheduler);
        scheduler.start();
        return this;
    }

    long count(JobKey job, String metric) {
        return metrics.counter("baton.quartz." + job.getGroup() + "." + job.getName() + "." + metric)
                .getCount();
    }

    @Override
    public void close() throws SchedulerException {
        scheduler.shutdown(true);
        if (guard != null) {
            guard.close();
        }
    }
}
