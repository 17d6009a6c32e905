package dev.baton.quartz;

import dev.baton.lock.LockClient;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.quartz.JobExecutionContext;
import org.quartz.Trigger;
import org.quartz.listeners.TriggerListenerSupport;

/** Trigger listeners the tests put before or after the guard. */
final class Listeners {
    private Listeners() {}

    /**
     * Makes its scheduler late: before the guard sees a firing, waits until another instance has run that same
     * scheduled firing and released the job's lock. That is a clock skew or a busy pool longer than the job's run.
     */
    static final class LateInstance extends TriggerListenerSupport {
        private final String runsTable;
        private final LockClient probe;

        LateInstance(String runsTable, LockClient probe) {
            this.runsTable = runsTable;
            this.probe = probe;
        }

        @Override
        public String getName() {
            return "late-instance";
        }

        @Override
        public void triggerFired(Trigger trigger, JobExecutionContext context) {
            String job = context.getJobDetail().getKey().getName();
            String lock = "quartz:" + context.getJobDetail().getKey();
            OffsetDateTime t =
                    OffsetDateTime.ofInstant(context.getScheduledFireTime().toInstant(), ZoneOffset.UTC);
            try {
                Awaitility.await("another instance to run " + job + " at " + t)
                        .atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(20))
                        .until(() -> Db.count(
                                                "SELECT count(*) FROM " + runsTable
                                                        + " WHERE job = ? AND scheduled_fire_time = ?",
                                                job,
                                                t)
                                        > 0
                                && !probe.isLocked(lock));
            } catch (ConditionTimeoutException e) {
                // Then this one is simply not late for this firing; the assertions will tell.
            }
        }
    }

    /** Vetoes every firing while {@code on}. */
    static final class Veto extends TriggerListenerSupport {
        final AtomicBoolean on = new AtomicBoolean(true);

        @Override
        public String getName() {
            return "veto-after-guard";
        }

        @Override
        public boolean vetoJobExecution(Trigger trigger, JobExecutionContext context) {
            return on.get();
        }
    }

    /** Throws from vetoJobExecution {@code times} times: Quartz then calls no release callback at all. */
    static final class ThrowOnce extends TriggerListenerSupport {
        final AtomicInteger left;

        ThrowOnce(int times) {
            this.left = new AtomicInteger(times);
        }

        @Override
        public String getName() {
            return "throws-after-guard";
        }

        @Override
        public boolean vetoJobExecution(Trigger trigger, JobExecutionContext context) {
            if (left.getAndDecrement() > 0) {
                throw new IllegalStateException("a badly written listener");
            }
            return false;
        }
    }
}
