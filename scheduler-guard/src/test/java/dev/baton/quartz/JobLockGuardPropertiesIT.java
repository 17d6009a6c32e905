package dev.baton.quartz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quartz.JobDetail;
import org.quartz.Scheduler;
import org.quartz.impl.StdSchedulerFactory;

/** The guard configured from quartz.properties alone (its plugin), and the errors a bad configuration gives at startup. */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JobLockGuardPropertiesIT {

    static Properties quartz(PostgresServer server, String instance) {
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", instance);
        p.setProperty("org.quartz.threadPool.threadCount", "2");
        p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        p.setProperty("org.quartz.dataSource.pg.driver", "org.postgresql.Driver");
        p.setProperty("org.quartz.dataSource.pg.URL", server.jdbcUrl());
        p.setProperty("org.quartz.dataSource.pg.provider", "hikaricp");
        // Each guard keeps two connections (lock session, ledger); DBConnectionManager is JVM-wide, so both
        // schedulers of this test share one "pg" pool.
        p.setProperty("org.quartz.dataSource.pg.maxConnections", "6");
        p.setProperty("org.quartz.plugin.baton.class", JobLockGuardPlugin.class.getName());
        p.setProperty("org.quartz.plugin.baton.dataSource", "pg");
        p.setProperty("org.quartz.plugin.baton.ledgerTable", "firings_props");
        p.setProperty("org.quartz.plugin.baton.instanceId", instance);
        return p;
    }

    @Test
    void shouldGuardWithNothingButQuartzProperties(PostgresServer server) throws Exception {
        Db.createRuns("runs_props");
        Instant start = Schedulers.wholeSecondAfter(1_500);
        Instant end = start.plusSeconds(3);
        List<Scheduler> schedulers = new ArrayList<>();
        try {
            for (String name : List.of("props-a", "props-b")) {
                Scheduler s = new StdSchedulerFactory(quartz(server, name)).getScheduler();
                JobDetail job = Schedulers.job(Jobs.RecordJob.class, "props", "job", "runs_props");
                s.scheduleJob(job, Schedulers.everySecond(job, start, end));
                s.start();
                schedulers.add(s);
                assertThat(s.getListenerManager().getTriggerListener("baton"))
                        .as("the plugin registered the guard under its own name")
                        .isInstanceOf(JobLockGuard.class)
                        .isSameAs(s.getListenerManager().getJobListener("baton"));
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> JobLockGuardIT.done(
                            schedulers.stream().map(Node::wrap).toArray(Node[]::new)));
        } finally {
            Schedulers.shutdownAll(schedulers);
        }
        Map<Instant, Integer> runs = Db.runsByFiring("runs_props").get("job");
        assertThat(runs.keySet()).isEqualTo(Schedulers.fireTimes(start, end));
        assertThat(runs.values()).containsOnly(1);
        assertThat(Db.count("SELECT count(*) FROM firings_props WHERE job_key = 'props.job' AND outcome = 'SUCCEEDED'"))
                .isEqualTo(runs.size());
    }

    @Test
    void shouldFailAtStartupWithoutADataSource(PostgresServer server) {
        Properties p = quartz(server, "props-bad-1");
        p.remove("org.quartz.plugin.baton.dataSource");
        assertThatThrownBy(() -> new StdSchedulerFactory(p).getScheduler()).satisfies(e -> assertThat(messages(e))
                .contains("org.quartz.plugin.baton.dataSource = NAME of an org.quartz.dataSource"));
    }

    @Test
    void shouldFailAtStartupOnAnUnknownDataSource(PostgresServer server) {
        Properties p = quartz(server, "props-bad-2");
        p.setProperty("org.quartz.plugin.baton.dataSource", "nope");
        assertThatThrownBy(() -> new StdSchedulerFactory(p).getScheduler()).satisfies(e -> assertThat(messages(e))
                .contains("names data source 'nope', but Quartz has no org.quartz.dataSource.nope"));
    }

    @Test
    void shouldFailAtStartupOnABadTableNameOrDurationOrProperty(PostgresServer server) {
        Properties table = quartz(server, "props-bad-3");
        table.setProperty("org.quartz.plugin.baton.ledgerTable", "firings; DROP TABLE x");
        assertThatThrownBy(() -> new StdSchedulerFactory(table).getScheduler())
                .satisfies(e -> assertThat(messages(e)).contains("is not a plain SQL identifier"));

        Properties retention = quartz(server, "props-bad-4");
        retention.setProperty("org.quartz.plugin.baton.ledgerRetention", "7 days");
        assertThatThrownBy(() -> new StdSchedulerFactory(retention).getScheduler())
                .satisfies(e -> assertThat(messages(e)).contains("must be an ISO-8601 duration such as P7D"));

        Properties unknown = quartz(server, "props-bad-5");
        unknown.setProperty("org.quartz.plugin.baton.lockPrefx", "x:");
        assertThatThrownBy(() -> new StdSchedulerFactory(unknown).getScheduler())
                .satisfies(e -> assertThat(messages(e)).contains("lockPrefx"));
    }

    static String messages(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append(t).append('\n');
        }
        return sb.toString();
    }
}
