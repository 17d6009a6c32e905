package dev.baton.quartz.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.quartz.JobDataMap;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.ObjectAlreadyExistsException;
import org.quartz.Scheduler;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovery firings for abandoned firings of {@code requestsRecovery} jobs: a one-shot trigger whose job data names the
 * abandoned scheduled fire time. The guard lets it run only if it can take over the ABANDONED ledger row, so it runs
 * once across instances. While the job's lock is busy (usually: the firing that found the abandoned row is still
 * running), or the guard failed, it is retried a second later, up to 60 attempts. Giving up — attempts used up, or the
 * recovery trigger could not be scheduled — is logged at ERROR and counted ({@code recovery-gave-up}); the row then
 * stays {@code ABANDONED}. Thread-safe.
 */
final class Recovery {
    private static final Logger log = LoggerFactory.getLogger(Recovery.class);
    static final String RECOVERY_OF = "dev.baton.quartz.recoveryOf";
    static final String ATTEMPT = "dev.baton.quartz.recoveryAttempt";
    static final String GROUP = "baton-recovery";

    private final String guardName;
    private final GuardMetrics metrics;
    private final int maxAttempts;
    private final Duration retryDelay;

    Recovery(String guardName, GuardMetrics metrics, int maxAttempts, Duration retryDelay) {
        this.guardName = guardName;
        this.metrics = metrics;
        this.maxAttempts = maxAttempts;
        this.retryDelay = retryDelay;
    }

    /** The abandoned fire time a recovery trigger stands for, or null for an ordinary trigger. */
    static Instant recoveryOf(Trigger trigger) {
        JobDataMap data = trigger.getJobDataMap();
        return data != null && data.containsKey(RECOVERY_OF)
                ? Instant.ofEpochMilli(Long.parseLong(String.valueOf(data.get(RECOVERY_OF))))
                : null;
    }

    void schedule(Scheduler scheduler, JobKey job, Instant abandoned, int attempt) {
        try {
            Trigger trigger = TriggerBuilder.newTrigger()
                    .withIdentity(
                            job.getGroup() + "." + job.getName() + "@" + abandoned.toEpochMilli() + "#" + attempt,
                            GROUP)
                    .forJob(job)
                    .usingJobData(RECOVERY_OF, String.valueOf(abandoned.toEpochMilli()))
                    .usingJobData(ATTEMPT, String.valueOf(attempt))
                    .startAt(Date.from(
                            attempt == 0 ? Instant.now() : Instant.now().plus(retryDelay)))
                    .build();
            scheduler.scheduleJob(trigger);
        } catch (ObjectAlreadyExistsException e) {
            log.debug("Recovery of {} at {} is already scheduled", job, abandoned);
        } catch (Exception e) {
            metrics.recoveryGaveUp(job);
            log.error(
                    "Guard '{}' gave up recovering {} at {}: could not schedule its recovery firing; the ledger row stays"
                            + " ABANDONED",
                    guardName,
                    job,
                    abandoned,
                    e);
        }
    }

    /** A recovery firing that found the lock busy, or failed, is tried again after the retry delay. */
    void retryLater(JobExecutionContext context, Instant recoveryOf) {
        if (recoveryOf == null) {
            return;
        }
        int attempt = Integer.parseInt(
                        String.valueOf(context.getTrigger().getJobDataMap().get(ATTEMPT)))
                + 1;
        if (attempt >= maxAttempts) {
            metrics.recoveryGaveUp(context.getJobDetail().getKey());
            log.error(
                    "Guard '{}' gave up recovering {} at {} after {} attempts: its lock stayed busy or the guard failed;"
                            + " the ledger row stays ABANDONED",
                    guardName,
                    context.getJobDetail().getKey(),
                    recoveryOf,
                    attempt);
            return;
        }
        schedule(context.getScheduler(), context.getJobDetail().getKey(), recoveryOf, attempt);
    }
}
