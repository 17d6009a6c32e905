package dev.baton.quartz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quartz.CronScheduleBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Matcher;
import org.quartz.TriggerBuilder;
import org.quartz.impl.matchers.GroupMatcher;

/**
 * Issue 11 item 10: a late instance past {@code org.quartz.jobStore.misfireThreshold} fires "now" (the default smart
 * policy of a cron and a one-shot simple trigger), at a scheduled time on no instance's schedule; the guard matches it
 * with the missed firing it stands for and refuses it when another instance ran that one.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JobLockGuardMisfireIT {
    @Test
    void shouldRefuseTheLateFiringsOfAnInstanceWhosePoolWasBlockedPastTheMisfireThreshold(PostgresServer server)
            throws Exception {
        Db.createRuns("runs_misfire");
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        Jobs.GATES.put("pool-blocker", gate);
        Jobs.STARTED.put("pool-blocker", blocked);
        Instant start = Schedulers.wholeSecondAfter(4_000);
        Instant end = start.plusSeconds(2);
        Instant once = start.plusSeconds(1);
        Properties lateAfterOneSecond = new Properties();
        lateAfterOneSecond.setProperty("org.quartz.jobStore.misfireThreshold", "1000");
        Matcher<JobKey> guarded = GroupMatcher.jobGroupEquals("misfire");
        JobKey cron = JobKey.jobKey("cron", "misfire");
        JobKey oneShot = JobKey.jobKey("once", "misfire");
        try (LogCapture log = new LogCapture();
                Node a = Node.create(server, "misfire-a", 3, "firings_misfire", g -> g.jobs(guarded));
                Node b = Node.create(
                        server,
                        Schedulers.create("misfire-b", 1, lateAfterOneSecond),
                        "firings_misfire",
                        g -> g.jobs(guarded))) {
            try {
                for (Node n : List.of(a, b)) {
                    scheduleWithDefaultMisfirePolicy(n, cron, oneShot, start, end, once);
                }
                a.start();
                // b's only worker thread is busy with an unguarded job until the gate opens.
                JobDetail blocker = Schedulers.job(Jobs.BlockingJob.class, "unguarded", "pool-blocker", "runs_misfire");
                b.scheduler.scheduleJob(
                        blocker,
                        TriggerBuilder.newTrigger().forJob(blocker).startNow().build());
                b.start();
                assertThat(blocked.await(20, TimeUnit.SECONDS)).isTrue();
                String onA = "SELECT count(*) FROM runs_misfire WHERE instance = 'misfire-a'";
                await("a ran every firing on time")
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> Db.count(onA) == 4);
                // Now past the end: each of b's firings is more than the misfire threshold late.
                gate.countDown();
                await("b's late firings refused")
                        .atMost(Duration.ofSeconds(30))
                        .until(() ->
                                b.count(cron, "vetoed-duplicate") == 1 && b.count(oneShot, "vetoed-duplicate") == 1);
                await("all firings done").atMost(Duration.ofSeconds(20)).until(() -> JobLockGuardIT.done(a, b));
                assertThat(log.lines(
                                "WARN",
                                "refused a misfired firing of misfire.cron",
                                "stands for the firing scheduled" + " at " + end))
                        .as("the refusal of the cron firing, logged")
                        .hasSize(1);
                assertThat(log.lines("WARN", "refused a misfired firing of misfire.once", "scheduled at " + once))
                        .as("the refusal of the one-shot firing, logged")
                        .hasSize(1);
            } finally {
                gate.countDown(); // before the schedulers' shutdown waits for the blocker
            }
        }
        Map<String, Map<java.time.Instant, Integer>> runs = Db.runsByFiring("runs_misfire");
        assertThat(runs.get("cron"))
                .as("cron: each firing once, none under a misfire time")
                .isEqualTo(onceEach(Schedulers.fireTimes(start, end)));
        assertThat(runs.get("once")).as("one-shot: once").isEqualTo(Map.of(once, 1));
        assertThat(Db.count("SELECT count(*) FROM runs_misfire WHERE instance = 'misfire-b' AND job <> 'pool-blocker'"))
                .as("runs on the late instance")
                .isZero();
    }

    private static void scheduleWithDefaultMisfirePolicy(
            Node n, JobKey cron, JobKey oneShot, Instant start, Instant end, Instant once) throws Exception {
        JobDetail c = Schedulers.job(Jobs.RecordJob.class, cron.getGroup(), cron.getName(), "runs_misfire");
        n.scheduler.scheduleJob(
                c,
                TriggerBuilder.newTrigger()
                        .withIdentity(cron.getName(), cron.getGroup())
                        .forJob(c)
                        .withSchedule(CronScheduleBuilder.cronSchedule(Schedulers.EVERY_SECOND)) // smart policy
                        .startAt(Date.from(start))
                        .endAt(Date.from(end))
                        .build());
        JobDetail o = Schedulers.job(Jobs.RecordJob.class, oneShot.getGroup(), oneShot.getName(), "runs_misfire");
        n.scheduler.scheduleJob(
                o,
                TriggerBuilder.newTrigger()
                        .withIdentity(oneShot.getName(), oneShot.getGroup())
                        .forJob(o)
                        .startAt(Date.from(once)) // a one-shot SimpleTrigger, smart policy
                        .build());
    }

    private static Map<Instant, Integer> onceEach(java.util.Set<Instant> times) {
        Map<Instant, Integer> out = new java.util.TreeMap<>();
        times.forEach(t -> out.put(t, 1));
        return out;
    }
}
