package dev.baton.quartz.internal;

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
 * running) it is retried a second later, up to {@link #MAX_ATTEMPTS} times.
 */
final class Recovery {
    private static final Logger log = LoggerFactory.getLogger(Recovery.class);
    static final String RECOVERY_OF = "dev.baton.quartz.recoveryOf";
    static final String ATTEMPT = "dev.baton.quartz.recoveryAttempt";
    static final String GROUP = "baton-recovery";
    static final int MAX_ATTEMPTS = 60;

    private final String guardName;

    Recovery(String guardName) {
        this.guardName = guardName;
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
                    .startAt(Date.from(Instant.now().plusMillis(attempt == 0 ? 0 : 1000)))
                    .build();
            scheduler.scheduleJob(trigger);
        } catch (ObjectAlreadyExistsException e) {
            log.debug("Recovery of {} at {} is already scheduled", job, abandoned);
        } catch (Exception e) {
            log.error("Guard '{}' could not schedule the recovery of {} at {}", guardName, job, abandoned, e);
        }
    }

    /** A recovery firing that found the lock busy is tried again a second later. */
    void retryLater(JobExecutionContext context, Instant recoveryOf) {
        if (recoveryOf == null) {
            return;
        }
        int attempt = Integer.parseInt(
                        String.valueOf(context.getTrigger().getJobDataMap().get(ATTEMPT)))
                + 1;
        if (attempt >= MAX_ATTEMPTS) {
            log.error(
                    "Guard '{}' gave up recovering {} at {}: its lock stayed busy",
                    guardName,
                    context.getJobDetail().getKey(),
                    recoveryOf);
            return;
        }
        schedule(context.getScheduler(), context.getJobDetail().getKey(), recoveryOf, attempt);
    }
}
