package dev.baton.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.baton.examples.boot.SampleApplication.Journal;
import dev.baton.spring.boot.BatonLeaders;
import dev.baton.spring.boot.autoconfigure.BatonEndpoint;
import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.json.JsonWriter;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Two instances of the sample application (two application contexts, two lock sessions, one testkit PostgreSQL): one
 * leader, the leader-only method on one instance, the locked method never on both at once, each Quartz firing once,
 * health UP on both, the same leader on both endpoints, and a hand-over on close with no overlap, whose shutdown
 * releases every lock before its DataSource closes.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(120)
class SampleApplicationTwoInstancesIT {
    /** What each instance's DataSource saw when it began to close: its instance's advisory locks still held. */
    static final Map<String, Long> LOCKS_AT_DATASOURCE_CLOSE = new java.util.concurrent.ConcurrentHashMap<>();

    @Test
    void shouldShareTheWorkBetweenTwoInstancesAndHandOverOnClose(PostgresServer pg) throws Exception {
        ConfigurableApplicationContext a = start(pg, "node-a");
        BatonLeaders leadersA = a.getBean(BatonLeaders.class);
        await("node-a leads").atMost(Duration.ofSeconds(30)).until(() -> leadersA.isLeader("sample"));
        ConfigurableApplicationContext b = start(pg, "node-b");
        ConfigurableApplicationContext bRef = b;
        try {
            BatonLeaders leadersB = b.getBean(BatonLeaders.class);
            Journal journalA = a.getBean(Journal.class);
            Journal journalB = b.getBean(Journal.class);
            await("both instances tried the locked method and Quartz fired a few times")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> count(journalB, "cleanup-start") + count(journalA, "cleanup-start") >= 10
                            && count(journalA, "quartz") + count(journalB, "quartz") >= 3);

            assertThat(leadersB.isLeader("sample")).as("one leader").isFalse();
            assertThat(count(journalA, "leader-only")).isPositive();
            assertThat(count(journalB, "leader-only"))
                    .as("leader-only method on the leader only")
                    .isZero();
            assertNoOverlap(journalA, journalB);
            assertEachFiringOnce(journalA, journalB);

            Map<String, Object> healthA = health(a);
            Map<String, Object> healthB = health(b);
            assertThat(healthA).containsEntry("status", "UP");
            assertThat(healthB).as("a follower is UP").containsEntry("status", "UP");
            assertThat(details(healthB)).containsEntry("instanceId", "node-b").containsKey("lockSessionPid");
            assertThat(group(details(healthA))).containsEntry("leading", true);
            assertThat(group(details(healthB))).containsEntry("leading", false);

            Map<String, Object> reportA = a.getBean(BatonEndpoint.class).report();
            Map<String, Object> reportB = b.getBean(BatonEndpoint.class).report();
            assertThat(currentLeader(reportA)).isEqualTo("node-a");
            assertThat(currentLeader(reportB))
                    .as("both endpoints name the same leader")
                    .isEqualTo("node-a");
            System.out.println(
                    "baton-sample: health node-a " + JsonWriter.standard().writeToString(healthA));
            System.out.println(
                    "baton-sample: health node-b " + JsonWriter.standard().writeToString(healthB));
            System.out.println(
                    "baton-sample: endpoint node-a " + JsonWriter.standard().writeToString(reportA));
            System.out.println(
                    "baton-sample: endpoint node-b " + JsonWriter.standard().writeToString(reportB));

            a.close();
            await("node-b takes over").atMost(Duration.ofSeconds(30)).until(() -> leadersB.isLeader("sample"));
            long revokedA = at(journalA, "REVOKED STOPPED");
            long stoppedTaskA = at(journalA, "leader-task-stopped");
            long electedB = at(journalB, "ELECTED");
            assertThat(stoppedTaskA).as("A's task stopped before B was elected").isLessThan(electedB);
            assertThat(revokedA).as("A revoked before B was elected").isLessThan(electedB);
            // (B's task may start before B's ELECTED event is delivered: events go through their own thread.)
            await("B's leader task starts")
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> count(journalB, "leader-task-started") == 1);
            assertThat(LOCKS_AT_DATASOURCE_CLOSE)
                    .as("node-a's shutdown released every advisory lock before its DataSource closed")
                    .containsEntry("node-a", 0L);
            assertThat(currentLeader(b.getBean(BatonEndpoint.class).report())).isEqualTo("node-b");
        } finally {
            a.close();
            bRef.close();
        }
        assertThat(LOCKS_AT_DATASOURCE_CLOSE).containsEntry("node-b", 0L);
    }

    /** The instance and URL the next context's DataSource is for; contexts are started one at a time, on this thread. */
    private static volatile String[] starting;

    private static ConfigurableApplicationContext start(PostgresServer pg, String id) {
        starting = new String[] {id, pg.jdbcUrl()};
        return new SpringApplicationBuilder(SampleApplication.class, ProbedDataSource.class)
                .properties(
                        "baton.instance-id=" + id,
                        "spring.jmx.unique-names=true",
                        "spring.main.banner-mode=off",
                        "spring.application.name=baton-sample-" + id,
                        "sample.lock=two-instances-cleanup")
                .run();
    }

    private static long count(Journal journal, String prefix) {
        return journal.entries().stream()
                .filter(e -> e.what().startsWith(prefix))
                .count();
    }

    private static long at(Journal journal, String prefix) {
        return journal.entries().stream()
                .filter(e -> e.what().startsWith(prefix))
                .mapToLong(Journal.Entry::nanos)
                .reduce((first, second) -> second)
                .orElseThrow(() -> new AssertionError("no '" + prefix + "' in " + journal.entries()));
    }

    /** Each instance's cleanup runs as [start, end] intervals on one clock: no interval of A meets one of B. */
    private static void assertNoOverlap(Journal a, Journal b) {
        List<long[]> ia = intervals(a);
        List<long[]> ib = intervals(b);
        for (long[] x : ia) {
            for (long[] y : ib) {
                assertThat(x[1] < y[0] || y[1] < x[0])
                        .as("cleanup on A %s overlaps cleanup on B %s", x, y)
                        .isTrue();
            }
        }
        assertThat(ia.size() + ib.size()).isPositive();
    }

    private static List<long[]> intervals(Journal j) {
        List<long[]> out = new ArrayList<>();
        long start = -1;
        for (Journal.Entry e : j.entries()) {
            if (e.what().equals("cleanup-start")) {
                start = e.nanos();
            } else if (e.what().equals("cleanup-end") && start >= 0) {
                out.add(new long[] {start, e.nanos()});
                start = -1;
            }
        }
        return out;
    }

    private static void assertEachFiringOnce(Journal a, Journal b) {
        List<String> firings = new ArrayList<>();
        for (Journal j : List.of(a, b)) {
            j.entries().stream()
                    .map(Journal.Entry::what)
                    .filter(w -> w.startsWith("quartz"))
                    .forEach(firings::add);
        }
        assertThat(firings).as("each scheduled firing ran once in total").doesNotHaveDuplicates();
    }

    private static Map<String, Object> health(ConfigurableApplicationContext ctx) {
        Health health = ((HealthIndicator) ctx.getBean("batonHealthIndicator")).health();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", health.getStatus().getCode());
        out.put("details", health.getDetails());
        assertThat(health.getStatus()).isIn(Status.UP, Status.DOWN);
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> details(Map<String, Object> health) {
        return (Map<String, Object>) health.get("details");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> group(Map<String, Object> details) {
        return (Map<String, Object>) ((Map<String, Object>) details.get("groups")).get("sample");
    }

    @SuppressWarnings("unchecked")
    private static String currentLeader(Map<String, Object> report) {
        List<Map<String, Object>> electors = (List<Map<String, Object>>) report.get("electors");
        Map<String, Object> leader = (Map<String, Object>) electors.get(0).get("currentLeader");
        return (String) leader.get("instanceId");
    }

    /** The instance's DataSource; on close it first counts its instance's advisory locks still held on the server. */
    @Configuration(proxyBeanMethods = false)
    static class ProbedDataSource {
        @Bean
        HikariDataSource dataSource() {
            String id = starting[0];
            String url = starting[1];
            HikariDataSource ds = new HikariDataSource() {
                @Override
                public void close() {
                    LOCKS_AT_DATASOURCE_CLOSE.putIfAbsent(id, advisoryLocksOf(url, id));
                    super.close();
                }
            };
            ds.setJdbcUrl(url);
            // Lock session, loss watcher, elector session, ledger, health check and the app's own work.
            ds.setMaximumPoolSize(8);
            ds.setPoolName("sample-" + id);
            return ds;
        }
    }

    static long advisoryLocksOf(String url, String instanceId) {
        try (Connection c = java.sql.DriverManager.getConnection(url);
                PreparedStatement st = c.prepareStatement("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a"
                        + " ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = ?")) {
            st.setString(1, instanceId);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not count advisory locks of " + instanceId, e);
        }
    }
}
