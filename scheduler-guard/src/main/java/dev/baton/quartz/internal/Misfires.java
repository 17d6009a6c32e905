package dev.baton.quartz.internal;

import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.quartz.JobExecutionContext;
import org.quartz.Trigger;
import org.quartz.TriggerKey;

/**
 * Which scheduled firing a late firing stands for after a misfire. Past {@code org.quartz.jobStore.misfireThreshold}
 * Quartz applies the trigger's misfire instruction; the default (smart) one of a {@code CronTrigger}, of a one-shot
 * {@code SimpleTrigger} and of the calendar and daily interval triggers fires once <em>now</em>: the firing's scheduled
 * fire time is then the moment of the misfire, on no instance's schedule, and the ledger could not match it with the
 * firing another instance ran on time. ({@code RAMJobStore.applyMisfire} sets the next fire time to now;
 * {@code triggersFired} then hands that as the scheduled fire time, and the trigger's previous fire time as the
 * context's.)
 *
 * <p>Quartz calls {@code triggerMisfired} with a copy of the trigger taken <em>before</em> it applies the instruction:
 * its next fire time is the first missed firing and its schedule is the original one (a {@code SimpleTrigger} that is
 * rescheduled "now" has its start time rewritten afterwards). {@link #record} keeps that copy; the trigger's next firing
 * (same previous fire time: nothing fired in between) stands for the <em>latest</em> missed firing of the original
 * schedule at or before its own scheduled time — the one Quartz's "fire once now" replaces last, and the one another
 * instance most recently ran. A firing at a time on the schedule (e.g. {@code MISFIRE_INSTRUCTION_DO_NOTHING}) maps to
 * itself. Trigger calendars are not consulted. Thread-safe; {@link #record} is a map update, cheap enough for the
 * scheduler thread that calls it under the job store's lock.
 */
final class Misfires {
    private final Map<TriggerKey, Trigger> misfired = new ConcurrentHashMap<>();

    /** Quartz's {@code triggerMisfired}: {@code before} is the trigger as it was before the misfire instruction. */
    void record(Trigger before) {
        // Misfired again before it fired (acquired, then released): the first copy still has the first missed firing.
        misfired.merge(
                before.getKey(),
                before,
                (old, now) -> sameTime(old.getPreviousFireTime(), now.getPreviousFireTime()) ? old : now);
    }

    /**
     * The scheduled fire time the firing in {@code context} stands for: its own, unless it is the first firing of its
     * trigger after a misfire. Forgets the trigger's misfire either way.
     */
    Instant standsFor(Trigger trigger, JobExecutionContext context) {
        Instant scheduled = context.getScheduledFireTime().toInstant();
        Trigger before = misfired.remove(trigger.getKey());
        if (before == null
                || before.getNextFireTime() == null
                || !sameTime(before.getPreviousFireTime(), context.getPreviousFireTime())
                || before.getNextFireTime().toInstant().isAfter(scheduled)) {
            return scheduled; // no misfire, or one from before the trigger's last firing: stale
        }
        return Instant.ofEpochMilli(
                latestAtOrBefore(before, before.getNextFireTime().getTime(), scheduled.toEpochMilli()));
    }

    private static boolean sameTime(Date a, Date b) {
        return a == null ? b == null : b != null && a.getTime() == b.getTime();
    }

    /**
     * The latest fire time of {@code schedule} in [{@code first}, {@code end}], where {@code first} is one: a binary
     * search on {@link Trigger#getFireTimeAfter} (about 40 steps), since a misfire may span millions of firings.
     */
    static long latestAtOrBefore(Trigger schedule, long first, long end) {
        long lo = first; // a fire time; the answer is in [lo, hi]
        long hi = end;
        while (lo < hi) {
            long mid = lo + (hi - lo + 1) / 2; // > lo
            Date next = schedule.getFireTimeAfter(new Date(mid - 1)); // the first fire time >= mid
            if (next != null && next.getTime() <= hi) {
                lo = next.getTime();
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }
}
