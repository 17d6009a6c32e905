package dev.baton.election.internal;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session thread's bounded waits for a term's task to stop after it was interrupted, so two tasks never run in one
 * elector at once. A task that ignores interruption is reported once, with its stack, and then only looked at: the
 * instance stays out of the election until it ends. Used by the session thread only (not thread-safe).
 */
final class TaskStopWait {
    private static final Logger log = LoggerFactory.getLogger(TaskStopWait.class);

    private final ElectorConfig config;
    private final ElectorMetrics metrics;
    private Leadership reportedStuck; // the term whose stuck task was already reported

    TaskStopWait(ElectorConfig config, ElectorMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    /**
     * Whether the task of {@code l} has stopped, waiting up to {@code taskStopTimeout} for it the first time; once
     * reported as stuck it is only looked at. Blocks; an interrupt ends the wait and is kept in the thread's flag.
     */
    boolean awaitStopped(Leadership l) {
        Thread t = l.taskThread();
        if (t == null || !t.isAlive()) {
            return true;
        }
        if (reportedStuck == l) {
            return false;
        }
        join(t, config.taskStopTimeout.toMillis());
        if (t.isAlive()) {
            reportedStuck = l;
            metrics.taskIgnoredInterrupt();
            log.error(
                    "Leader task of '{}' (group '{}', term {}) ignored interruption for {} ms; this instance stays"
                            + " out of the election until it stops. Stack:\n{}",
                    config.instanceId,
                    config.group,
                    l.term(),
                    config.taskStopTimeout.toMillis(),
                    Arrays.stream(t.getStackTrace()).map(e -> "\tat " + e).collect(Collectors.joining("\n")));
            return false;
        }
        return true;
    }

    /** Waits up to {@code boundMillis} for the task of {@code l}, without reporting it. */
    void awaitStoppedWithin(Leadership l, long boundMillis) {
        Thread t = l.taskThread();
        if (t != null && t != Thread.currentThread()) {
            join(t, boundMillis);
        }
    }

    private static void join(Thread t, long boundMillis) {
        try {
            t.join(Math.max(1, boundMillis)); // join(0) would wait for ever
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
