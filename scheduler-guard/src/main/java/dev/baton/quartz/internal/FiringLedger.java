package dev.baton.quartz.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The firing ledger: one row per {@code (job_key, scheduled_fire_time)} that started, with who ran it and how it
 * ended. Callers hold the job's lock for every call except {@link #purge}.
 *
 * <p>Statements run on one {@link LedgerConnection} of the guard's: thread-safe, and a call blocks while another runs
 * (each statement is bounded by the query timeout). All values are bound parameters; the table name is a validated
 * identifier.
 */
final class FiringLedger implements AutoCloseable {
    static final String ABANDONED = "ABANDONED";

    private final String table;
    private final int queryTimeoutSeconds;
    private final LedgerConnection connection;

    FiringLedger(DataSource dataSource, String table, boolean createTable, Duration queryTimeout) {
        this.table = Identifiers.tableName(table);
        // A statement waiting on a table lock (a migration, a DBA's ALTER) must not hold a worker: cancel it.
        this.queryTimeoutSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, queryTimeout.toSeconds()));
        this.connection = new LedgerConnection(dataSource, this.table, createTable, queryTimeoutSeconds);
    }

    private PreparedStatement prepare(Connection c, String sql) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        ps.setQueryTimeout(queryTimeoutSeconds);
        return ps;
    }

    /** Unfinished firings found when the lock was free: their runner is gone. */
    record Abandoned(Instant scheduledFireTime, String instanceId) {}

    /** The outcome of a claim. */
    record Claim(boolean claimed, List<Abandoned> abandoned) {}

    /**
     * Marks unfinished rows of the job ABANDONED (the caller holds the job's lock, so nobody runs them), then records
     * this firing. {@code claimed} is false if another instance already recorded it, under {@code jobKey} or under
     * {@code legacyKey} (an older version's key for the job, null if none; see {@link JobKeys}). Without
     * {@code detectAbandoned} (leader-only mode: no job lock proves the runner gone) unfinished rows are left alone.
     */
    Claim claim(
            String jobKey,
            String legacyKey,
            Instant scheduledFireTime,
            String instanceId,
            boolean refire,
            boolean detectAbandoned)
            throws SQLException {
        return connection.run(c -> {
            List<Abandoned> abandoned = new ArrayList<>();
            if (refire) {
                // Quartz re-executes the same firing (refireImmediately): our own row, reopened.
                try (PreparedStatement ps = prepare(
                        c,
                        "UPDATE " + table
                                + " SET finished_at = NULL, outcome = NULL"
                                + " WHERE job_key = ? AND scheduled_fire_time = ? AND instance_id = ?")) {
                    ps.setString(1, jobKey);
                    ps.setObject(2, utc(scheduledFireTime));
                    ps.setString(3, instanceId);
                    if (ps.executeUpdate() == 1) {
                        return new Claim(true, abandoned);
                    }
                }
            }
            if (detectAbandoned) {
                try (PreparedStatement ps = prepare(
                        c,
                        // A free job lock alone does not prove the runner gone: its lock session may have died
                        // (terminated backend, network reset) while the job runs on. So a runner whose instance
                        // still has a session (application_name = instance id) is left alone.
                        "UPDATE " + table
                                + " t SET finished_at = now(), outcome = '" + ABANDONED + "'"
                                + " WHERE job_key = ? AND finished_at IS NULL AND NOT EXISTS (SELECT 1 FROM"
                                + " pg_stat_activity a WHERE a.application_name = t.instance_id)"
                                + " RETURNING scheduled_fire_time, instance_id")) {
                    ps.setString(1, jobKey);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            abandoned.add(new Abandoned(
                                    rs.getObject(1, OffsetDateTime.class).toInstant(), rs.getString(2)));
                        }
                    }
                }
            }
            // The legacy row is checked in the same statement; the caller holds the legacy lock too, so an older
            // instance cannot insert it in between. Without a legacy key the check probes our own row: harmless.
            try (PreparedStatement ps = prepare(
                    c,
                    "INSERT INTO " + table
                            + " (job_key, scheduled_fire_time, instance_id, started_at) SELECT ?, ?, ?, now()"
                            + " WHERE NOT EXISTS (SELECT 1 FROM " + table
                            + " WHERE job_key = ? AND scheduled_fire_time = ?)"
                            + " ON CONFLICT (job_key, scheduled_fire_time) DO NOTHING")) {
                ps.setString(1, jobKey);
                ps.setObject(2, utc(scheduledFireTime));
                ps.setString(3, instanceId);
                ps.setString(4, legacyKey != null ? legacyKey : jobKey);
                ps.setObject(5, utc(scheduledFireTime));
                return new Claim(ps.executeUpdate() == 1, abandoned);
            }
        });
    }

    /** Takes over an ABANDONED firing for a recovery run; false if someone else already did. */
    boolean claimRecovery(String jobKey, Instant scheduledFireTime, String instanceId) throws SQLException {
        return connection.run(c -> {
            try (PreparedStatement ps = prepare(
                    c,
                    "UPDATE " + table
                            + " SET instance_id = ?, started_at = now(), finished_at = NULL, outcome = NULL"
                            + " WHERE job_key = ? AND scheduled_fire_time = ? AND outcome = '" + ABANDONED + "'")) {
                ps.setString(1, instanceId);
                ps.setString(2, jobKey);
                ps.setObject(3, utc(scheduledFireTime));
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Records how this instance's run of a firing ended. */
    void finish(String jobKey, Instant scheduledFireTime, String instanceId, String outcome) throws SQLException {
        connection.run(c -> {
            try (PreparedStatement ps = prepare(
                    c,
                    "UPDATE " + table
                            + " SET finished_at = now(), outcome = ?"
                            + " WHERE job_key = ? AND scheduled_fire_time = ? AND instance_id = ?")) {
                ps.setString(1, outcome);
                ps.setString(2, jobKey);
                ps.setObject(3, utc(scheduledFireTime));
                ps.setString(4, instanceId);
                return ps.executeUpdate();
            }
        });
    }

    /** Deletes rows that started longer than {@code retention} ago (by the server's clock); returns how many. */
    int purge(Duration retention) throws SQLException {
        return connection.run(c -> {
            try (PreparedStatement ps =
                    prepare(c, "DELETE FROM " + table + " WHERE started_at < now() - make_interval(secs => ?)")) {
                ps.setDouble(1, retention.toMillis() / 1000.0);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public void close() {
        connection.close();
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
