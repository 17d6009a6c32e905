package dev.baton.quartz.internal;

import dev.baton.internal.Threads;
import java.sql.SQLException;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.quartz.JobExecutionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A guard's use of the firing ledger: claims a firing (marking the job's unfinished rows ABANDONED and scheduling a
 * recovery firing for a {@code requestsRecovery} job), records how it ended, and purges old rows on a thread of its
 * own. The caller holds the job's lock for {@link #claim} and {@link #finish}. Thread-safe.
 */
final class LedgerKeeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LedgerKeeper.class);

    private final GuardConfig config;
    private final GuardMetrics metrics;
    private final Recovery recovery;
    private final FiringLedger ledger;
    private volatile String instanceId; // set once in start
    private volatile ScheduledExecutorService purger; // set once in start

    LedgerKeeper(GuardConfig config, GuardMetrics metrics, Recovery recovery) {
        this.config = config;
        this.metrics = metrics;
        this.recovery = recovery;
        this.ledger = new FiringLedger(
                config.ledgerDataSource, config.ledgerTable, config.createTable, config.operationTimeout);
    }

    /** Starts the purge thread; {@code instanceId} is recorded as the runner of each firing claimed. */
    void start(String instanceId) {
        this.instanceId = instanceId;
        ScheduledExecutorService p =
                Executors.newSingleThreadScheduledExecutor(Threads.named("baton-quartz-purge-" + config.name));
        long period = config.purgeInterval.toMillis();
        // The future is not needed: purge() catches everything, and shutdownNow() in close() cancels it.
        @SuppressWarnings("FutureReturnValueIgnored")
        Object unused = p.scheduleWithFixedDelay(this::purge, Math.min(period, 60_000), period, TimeUnit.MILLISECONDS);
        purger = p;
    }

    /** Records the firing as started here; false if it already is (by any instance): a duplicate. */
    boolean claim(Firing firing, JobExecutionContext context, Instant recoveryOf) throws SQLException {
        if (recoveryOf != null) {
            firing.inLedger = ledger.claimRecovery(firing.jobKey, recoveryOf, instanceId);
            return firing.inLedger;
        }
        FiringLedger.Claim claim = ledger.claim(
                firing.jobKey,
                firing.legacyKey,
                firing.scheduledFireTime,
                instanceId,
                context.getRefireCount() > 0,
                config.leaderGate == null);
        for (FiringLedger.Abandoned a : claim.abandoned()) {
            metrics.abandoned(firing.job);
            boolean recover = context.getJobDetail().requestsRecovery();
            log.warn(
                    "Guard '{}': the firing of {} scheduled at {} by instance '{}' never finished and its lock was"
                            + " free, so its runner is gone; marked ABANDONED{}",
                    config.name,
                    firing.jobKey,
                    a.scheduledFireTime(),
                    a.instanceId(),
                    recover ? "; the job requests recovery, so it runs once more" : "");
            if (recover) {
                recovery.schedule(context.getScheduler(), firing.job, a.scheduledFireTime(), 0);
            }
        }
        firing.inLedger = claim.claimed();
        return claim.claimed();
    }

    /** Records the outcome of a firing this guard claimed. */
    void finish(Firing firing, String outcome) throws SQLException {
        ledger.finish(firing.jobKey, firing.scheduledFireTime, instanceId, outcome);
    }

    /** Stops the purge thread and closes the ledger's connection. */
    @Override
    public void close() {
        ScheduledExecutorService p = purger;
        if (p != null) {
            p.shutdownNow();
        }
        ledger.close();
    }

    private void purge() {
        try {
            int n = ledger.purge(config.retention);
            if (n > 0) {
                log.debug("Guard '{}' purged {} ledger rows older than {}", config.name, n, config.retention);
            }
        } catch (Throwable t) {
            log.warn("Guard '{}' could not purge the firing ledger; retrying later", config.name, t);
        }
    }
}
