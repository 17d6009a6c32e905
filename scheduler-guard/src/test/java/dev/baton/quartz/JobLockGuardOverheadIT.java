package dev.baton.quartz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testkit.Measurements;
import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quartz.JobDetail;
import org.quartz.Scheduler;
import org.quartz.impl.JobExecutionContextImpl;
import org.quartz.spi.OperableTrigger;
import org.quartz.spi.TriggerFiredBundle;

/**
 * The guard's cost per firing, measured by calling its listener methods the way a Quartz worker does: veto (lock +
 * ledger insert) then jobWasExecuted (ledger update + unlock), for distinct scheduled fire times, one after another.
 * Tagged {@code measure}: run with {@code -Dgroups=measure}.
 */
@ExtendWith(PostgresExtension.class)
class JobLockGuardOverheadIT {
    private static final int WARMUP = 200;
    private static final int FIRINGS = 1_000;

    @Test
    @Tag("measure")
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void measureTheOverheadPerFiring(PostgresServer server) throws Exception {
        Scheduler scheduler = Schedulers.create("overhead", 1);
        JobDetail job = Schedulers.job(Jobs.RecordJob.class, "overhead", "job", "unused");
        OperableTrigger trigger = (OperableTrigger) Schedulers.everySecond(job, Instant.now(), null);
        try (JobLockGuard withLedger = JobLockGuard.builder(server.dataSource())
                        .name("overhead-ledger")
                        .instanceId("overhead-ledger")
                        .ledgerTable("firings_overhead")
                        .build();
                JobLockGuard locksOnly = JobLockGuard.builder(server.dataSource())
                        .name("overhead-locks")
                        .instanceId("overhead-locks")
                        .withoutLedger()
                        .build()) {
            withLedger.registerWith(scheduler);
            locksOnly.registerWith(scheduler);
            Db.exec(Docs.ledgerDdl("firings_overhead"));
            Db.exec("TRUNCATE firings_overhead");
            long[] ledger = measure(withLedger, scheduler, job, trigger, 0);
            long[] locks = measure(locksOnly, scheduler, job, trigger, 10_000_000);
            Measurements.print(
                    "guard overhead per firing, %d sequential firings: lock + ledger + release median=%.3f ms"
                            + " p90=%.3f ms; lock + release only median=%.3f ms p90=%.3f ms",
                    FIRINGS, ms(ledger, 0.5), ms(ledger, 0.9), ms(locks, 0.5), ms(locks, 0.9));
            assertThat(Db.count("SELECT count(*) FROM firings_overhead WHERE outcome = 'SUCCEEDED'"))
                    .isEqualTo(WARMUP + FIRINGS);
        } finally {
            scheduler.shutdown();
        }
    }

    private static long[] measure(
            JobLockGuard guard, Scheduler scheduler, JobDetail job, OperableTrigger trigger, long offset) {
        long[] samples = new long[FIRINGS];
        long base = System.currentTimeMillis() / 1000 * 1000 + offset * 1000;
        for (int i = 0; i < WARMUP + FIRINGS; i++) {
            Instant at = Instant.ofEpochMilli(base + i * 1000L);
            Date time = Date.from(at);
            TriggerFiredBundle bundle =
                    new TriggerFiredBundle(job, trigger, null, false, time, time, null, Date.from(at.plusSeconds(1)));
            JobExecutionContextImpl context = new JobExecutionContextImpl(scheduler, bundle, new Jobs.RecordJob());
            long t0 = System.nanoTime();
            boolean vetoed = guard.vetoJobExecution(trigger, context);
            guard.jobWasExecuted(context, null);
            long elapsed = System.nanoTime() - t0;
            assertThat(vetoed).as("firing %d vetoed", i).isFalse();
            if (i >= WARMUP) {
                samples[i - WARMUP] = elapsed;
            }
        }
        Arrays.sort(samples);
        return samples;
    }

    private static double ms(long[] sorted, double quantile) {
        return sorted[(int) (sorted.length * quantile)] / 1e6;
    }
}
