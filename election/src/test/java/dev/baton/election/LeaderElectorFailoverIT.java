package dev.baton.election;

import static dev.baton.election.LeadershipRecorder.electedAfter;
import static dev.baton.election.LeadershipRecorder.revoked;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.baton.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Terms across a failover, and a standby seen by a leader's periodic check (issue 11, item 7). Each test runs on a
 * private primary (a failover destroys it).
 */
@Timeout(180)
class LeaderElectorFailoverIT {
    private final List<LeaderElector> electors = new ArrayList<>();
    private final List<PostgresServer> servers = new ArrayList<>();
    private final LeadershipRecorder recorder = new LeadershipRecorder();
    private final String group = "failover-" + UUID.randomUUID().toString().substring(0, 8);

    @AfterEach
    void closeAll() {
        electors.forEach(LeaderElector::close);
        servers.forEach(PostgresServer::close);
    }

    private PostgresServer privatePrimary() {
        assumeThat(PostgresServer.shared().isExternal())
                .as("a failover needs servers owned by the test; BATON_TEST_JDBC_URL is set")
                .isFalse();
        PostgresServer s = PostgresServer.builder().start();
        servers.add(s);
        return s;
    }

    private LeaderElector started(javax.sql.DataSource ds, String id) {
        LeaderElector e = LeaderElector.builder(ds, group)
                .instanceId(group + "-" + id)
                .addListener(recorder)
                .rejoinAfterYield(Duration.ofMillis(50))
                .maxReconnectBackoff(Duration.ofMillis(200))
                .checkInterval(Duration.ofMillis(100))
                .build();
        electors.add(e);
        e.start();
        return e;
    }

    /**
     * Async replication loses the last bumps of a crashed primary; the promoted standby's first term must still be
     * above all of them. Without the timeline in the term, it is one more than the last replicated term: a repeat.
     */
    @Test
    void shouldGiveAHigherTermAfterFailoverThanAnyTheOldPrimaryHandedOut() throws Exception {
        PostgresServer primary = privatePrimary();
        PostgresServer standby = primary.startStandby();
        servers.add(standby);
        LeaderElector a = started(primary.dataSource(), "a");
        long replicated =
                recorder.awaitEvent("a elected on the primary", electedAfter(0)).term();
        await("the standby replayed term " + replicated)
                .atMost(Duration.ofSeconds(30))
                .until(() -> termOn(standby).orElse(-1L) == replicated);

        // Cut the standby off: it keeps what it replayed, and gets nothing more from the primary.
        try (Connection c = standby.connect();
                Statement st = c.createStatement()) {
            st.execute("ALTER SYSTEM SET primary_conninfo = ''");
            st.execute("SELECT pg_reload_conf()");
        }
        await("the standby's WAL receiver stopped")
                .atMost(Duration.ofSeconds(30))
                .until(() -> queryLong(standby, "SELECT count(*) FROM pg_stat_wal_receiver") == 0);

        // Two more terms on the primary, which the standby never sees.
        long last = replicated;
        for (int i = 0; i < 2; i++) {
            a.yieldLeadership();
            last = recorder.awaitEvent("a re-elected", electedAfter(last)).term();
        }
        assertThat(termOn(primary)).hasValue(last);
        assertThat(termOn(standby)).as("the bumps did not reach the standby").hasValue(replicated);

        primary.close(); // immediate shutdown: a crash, no end-of-recovery for anyone
        try (Connection c = standby.connect();
                Statement st = c.createStatement()) {
            st.execute("SELECT pg_promote()"); // waits until the standby is a primary, on a new timeline
        }
        long highestOnOldPrimary = last;
        started(standby.dataSource(), "b");
        LeadershipEvent after = recorder.awaitEvent(
                "b elected on the promoted standby",
                ev -> ev.type() == LeadershipEvent.Type.ELECTED
                        && ev.instanceId().equals(group + "-b"),
                Duration.ofSeconds(60));

        assertThat(after.term())
                .as(
                        "first term after the failover, above every term of the old primary (up to %d)",
                        highestOnOldPrimary)
                .isGreaterThan(highestOnOldPrimary);
        long timeline = queryLong(
                standby, "SELECT ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::bigint");
        assertThat(timeline).isEqualTo(2);
        assertThat(after.term())
                .as("readable: timeline 2, first election on it")
                .isEqualTo(2_000_000_001L);
    }

    /**
     * A leader whose periodic check finds {@code pg_is_in_recovery()} true steps down (LOCK_LOST, with the refusal as
     * the cause) and stays away until the server is a primary again. A server never turns from primary into standby
     * under a live session, so the test makes the check's answer true: {@code search_path} puts a schema with its own
     * {@code pg_is_in_recovery()} before {@code pg_catalog}, and a table row says what it answers.
     */
    @Test
    void shouldStepDownWhenACheckFindsAStandby() throws Exception {
        PostgresServer server = PostgresServer.shared();
        String schema = "fake_" + UUID.randomUUID().toString().substring(0, 8);
        try {
            stepDownOnAStandbyCheck(server, schema);
        } finally {
            try (Connection c = server.connect();
                    Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    private void stepDownOnAStandbyCheck(PostgresServer server, String schema) throws Exception {
        try (Connection c = server.connect();
                Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
            st.execute("CREATE TABLE " + schema + ".recovery (in_recovery boolean NOT NULL)");
            st.execute("INSERT INTO " + schema + ".recovery VALUES (false)");
            st.execute("CREATE FUNCTION " + schema + ".pg_is_in_recovery() RETURNS boolean LANGUAGE sql AS"
                    + " 'SELECT in_recovery FROM " + schema + ".recovery'");
        }
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(server.jdbcUrl());
        ds.setOptions("-c search_path=public," + schema + ",pg_catalog");
        LeaderElector a = started(ds, "a");
        long term = recorder.awaitEvent("a elected", electedAfter(0)).term();

        setRecovery(server, schema, true);

        LeadershipEvent down = recorder.awaitEvent("a steps down", revoked(a.instanceId(), term));
        assertThat(down.reason()).isEqualTo(LeadershipEvent.Reason.LOCK_LOST);
        assertThat(down.cause())
                .get()
                .extracting(Throwable::getMessage)
                .asString()
                .contains("found on its periodic check")
                .contains("hot standby")
                .contains("pg_is_in_recovery() = true");
        assertThat(a.isLeader()).isFalse();

        setRecovery(server, schema, false);
        LeadershipEvent back = recorder.awaitEvent("a leads again on a primary", electedAfter(term));
        assertThat(back.instanceId()).isEqualTo(a.instanceId());
        assertThat(recorder.of(a.instanceId()))
                .extracting(LeadershipEvent::type)
                .containsExactly(
                        LeadershipEvent.Type.ELECTED, LeadershipEvent.Type.REVOKED, LeadershipEvent.Type.ELECTED);
        a.close(); // before the schema its sessions resolve functions in is dropped
    }

    private static void setRecovery(PostgresServer server, String schema, boolean inRecovery) throws SQLException {
        try (Connection c = server.connect();
                PreparedStatement ps = c.prepareStatement("UPDATE " + schema + ".recovery SET in_recovery = ?")) {
            ps.setBoolean(1, inRecovery);
            ps.executeUpdate();
        }
    }

    private java.util.Optional<Long> termOn(PostgresServer s) throws SQLException {
        try (Connection c = s.connect();
                PreparedStatement ps = c.prepareStatement("SELECT term FROM baton_leader_terms WHERE group_name = ?")) {
            ps.setString(1, group);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? java.util.Optional.of(rs.getLong(1)) : java.util.Optional.empty();
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) { // the table has not reached the standby yet
                return java.util.Optional.empty();
            }
            throw e;
        }
    }

    private static long queryLong(PostgresServer s, String sql) throws SQLException {
        try (Connection c = s.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
