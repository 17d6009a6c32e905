package dev.baton.quartz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.TriggerBuilder;

/** Issue 11 item 11: no firing is lost without a metric and a log line, and no ledger statement blocks for good. */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JobLockGuardHolesIT {
    @Test
    void shouldGiveUpARecoveryOnlyWithAnErrorAndAMetric(PostgresServer server) throws Exception {
        Db.createRuns("runs_giveup");
        Db.exec(Docs.ledgerDdl("firings_giveup"));
        Instant past = Instant.parse("2026-01-01T00:00:00Z");
        Db.exec("INSERT INTO firings_giveup (job_key, scheduled_fire_time, instance_id, started_at)"
                + " VALUES ('giveup.recover-busy', '" + past + "', 'dead-node', now())");
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        Jobs.GATES.put("recover-busy", gate);
        Jobs.STARTED.put("recover-busy", started);
        JobDetail job = JobBuilder.newJob(Jobs.BlockingJob.class)
                .withIdentity("recover-busy", "giveup")
                .usingJobData("table", "runs_giveup")
                .requestRecovery()
                .build();
        try (LogCapture log = new LogCapture();
                Node a = Node.create(
                        server, "giveup-a", 3, "firings_giveup", g -> g.recoveryRetries(3, Duration.ofMillis(100)))) {
            try {
                // One firing: it finds the abandoned row and then keeps the job's lock while it runs, so every
                // attempt of the recovery firing it schedules finds the lock busy.
                a.scheduler.scheduleJob(
                        job, TriggerBuilder.newTrigger().forJob(job).startNow().build());
                a.start();
                assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
                await("the recovery given up")
                        .atMost(Duration.ofSeconds(20))
                        .until(() -> a.count(job.getKey(), "recovery-gave-up") == 1);
                assertThat(a.count(job.getKey(), "abandoned")).isEqualTo(1);
                assertThat(a.count(job.getKey(), "vetoed-locked"))
                        .as("each attempt found the lock busy")
                        .isEqualTo(3);
                assertThat(log.lines("ERROR", "gave up recovering giveup.recover-busy", "after 3 attempts"))
                        .hasSize(1);
                assertThat(Db.strings("SELECT outcome || ' ' || instance_id FROM firings_giveup WHERE"
                                + " scheduled_fire_time = '" + past + "'"))
                        .containsExactly("ABANDONED dead-node");
            } finally {
                gate.countDown(); // before the scheduler's shutdown waits for the job
            }
        }
    }

    @Test
    void shouldNotLetALedgerStatementBlockForGoodWhenTheServerFreezes(PostgresServer server) throws Exception {
        assumeThat(server.isExternal())
                .as("needs to signal the server's processes")
                .isFalse();
        Db.createRuns("runs_frozen");
        PGSimpleDataSource ledger = new PGSimpleDataSource();
        ledger.setUrl(server.jdbcUrl());
        ledger.setApplicationName("frozen-ledger");
        try (Node a = Node.create(server, "frozen-a", 2, "firings_frozen", g -> g.ledgerDataSource(ledger)
                .operationTimeout(Duration.ofSeconds(1)))) {
            JobDetail job = JobLockGuardIT.schedule(
                    a, Jobs.RecordJob.class, "frozen", "job", "runs_frozen", Instant.now(), null);
            a.start();
            await("a first firing through the ledger")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> Db.count("SELECT count(*) FROM runs_frozen") >= 1);
            int pid = backendPid("frozen-ledger");
            // A frozen backend answers nothing, not even the cancel of a query timeout: as a silent server would.
            assumeThat(signal("STOP", pid)).as("cannot signal backend %d", pid).isTrue();
            try {
                await("a firing vetoed by the ledger's network timeout instead of waiting for good")
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> a.count(job.getKey(), "vetoed-error") >= 1);
                long before = Db.count("SELECT count(*) FROM runs_frozen");
                await("a later firing runs on a new ledger connection while the old backend is still frozen")
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> Db.count("SELECT count(*) FROM runs_frozen") > before);
                assertThat(Db.count("SELECT count(*) FROM pg_stat_activity WHERE pid = ?", pid))
                        .as("the frozen backend is still there")
                        .isEqualTo(1);
            } finally {
                signal("CONT", pid);
            }
        }
    }

    private static int backendPid(String applicationName) throws SQLException {
        try (Connection c = Db.pool().getConnection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT pid FROM pg_stat_activity WHERE application_name = ?")) {
            ps.setString(1, applicationName);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("session of %s", applicationName).isTrue();
                int pid = rs.getInt(1);
                assertThat(rs.next()).as("one session of %s", applicationName).isFalse();
                return pid;
            }
        }
    }

    private static boolean signal(String signal, int pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-" + signal, Integer.toString(pid))
                .redirectErrorStream(true)
                .start();
        p.getInputStream().readAllBytes();
        return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
}
