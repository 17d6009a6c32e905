package dev.baton.quartz.internal;

import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;

/**
 * A job's key in lock names ({@code <prefix><key>}) and in the ledger's {@code job_key}: the group with {@code \}
 * and {@code .} escaped by {@code \}, a dot, then the name. The first unescaped dot ends the group, so no two jobs share
 * a key ({@code a.b/c} is {@code a\.b.c}, {@code a/b.c} is {@code a.b.c}); a group without {@code .} or {@code \}
 * (nearly all) keeps the key it had before, {@code group.name}, so its locks and rows are the same across an upgrade.
 *
 * <p>Older versions used {@code group.name} for every job. Where that legacy key differs from the key, a guard also
 * takes the legacy lock and honours ledger rows under the legacy key, but only while no other job of its scheduler has
 * the same legacy key (every instance runs the same jobs, so the legacy key then stands for this job alone). Stateless.
 */
public final class JobKeys {
    private JobKeys() {}

    /** The job's key: unique among all jobs. */
    public static String of(JobKey job) {
        return escape(job.getGroup()) + "." + job.getName();
    }

    /**
     * The key an older version gave the job, if it differs from {@link #of} and names no other job of {@code scheduler};
     * otherwise null. A failure to ask the scheduler counts as ambiguous: the legacy key is then left alone.
     */
    static String legacyOf(JobKey job, Scheduler scheduler) {
        String legacy = job.getGroup() + "." + job.getName();
        if (legacy.equals(of(job))) {
            return null;
        }
        // Every split of the legacy key at a dot is a job that older versions gave the same key.
        for (int dot = legacy.indexOf('.'); dot >= 0; dot = legacy.indexOf('.', dot + 1)) {
            JobKey namesake = JobKey.jobKey(legacy.substring(dot + 1), legacy.substring(0, dot));
            try {
                if (!namesake.equals(job) && scheduler.checkExists(namesake)) {
                    return null;
                }
            } catch (SchedulerException | RuntimeException e) {
                return null;
            }
        }
        return legacy;
    }

    private static String escape(String group) {
        if (group.indexOf('.') < 0 && group.indexOf('\\') < 0) {
            return group;
        }
        StringBuilder out = new StringBuilder(group.length() + 4);
        for (int i = 0; i < group.length(); i++) {
            char c = group.charAt(i);
            if (c == '.' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }
}
