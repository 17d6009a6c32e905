package dev.baton.quartz;

import com.codahale.metrics.MetricRegistry;
import dev.baton.quartz.internal.JobKeys;
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
        return create(server, Schedulers.create(name, threads), ledger, config);
    }

    /** A node on {@code scheduler} (named as its instance) with a guard as in the other {@code create}. */
    static Node create(
            PostgresServer server, Scheduler scheduler, String ledger, UnaryOperator<JobLockGuard.Builder> config)
            throws SchedulerException {
        String name = scheduler.getSchedulerName();
        MetricRegistry registry = new MetricRegistry();
        JobLockGuard guard = config.apply(JobLockGuard.builder(server.dataSource())
                        .instanceId(name)
                        .ledgerTable(ledger)
                        .metrics(registry))
                .build();
        return new Node(scheduler, guard, registry);
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
        return metrics.counter("baton.quartz." + JobKeys.of(job) + "." + metric).getCount();
    }

    @Override
    public void close() throws SchedulerException {
        scheduler.shutdown(true);
        if (guard != null) {
            guard.close();
        }
    }
}
