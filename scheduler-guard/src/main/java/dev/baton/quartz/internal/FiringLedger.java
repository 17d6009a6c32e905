package dev.baton.quartz.internal;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.baton.internal.SqlFunction;
import dev.baton.internal.SqlStates;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * The firing ledger: one row per {@code (job_key, scheduled_fire_time)} that started, with who ran it and how it
 * ended. Callers hold the job's lock for every call except {@link #purge}.
 *
 * <p>Uses one connection of its own, opened from the data source on first use, kept, and discarded after any
 * {@link SQLException} (the next call opens a new one). Calls are serialised on it by {@code lock}: thread-safe,
 * and a call blocks while another runs (each statement is bounded by the query timeout). The table is created on first
 * use unless disabled. All values are bound parameters; the table name is a validated identifier.
 */
final class FiringLedger implements AutoCloseable {
    static final String ABANDONED = "ABANDONED";
    private static final long IDLE_CHECK_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final DataSource dataSource;
    private final String table;
    private final boolean createTable;
    private final int queryTimeoutSeconds;
    private final ReentrantLock lock = new ReentrantLock();

    @GuardedBy("lock")
    private Connection connection;

    @GuardedBy("lock")
    private long lastUsedNanos;

    @GuardedBy("lock")
    private boolean closed;

    @GuardedBy("lock")
    private boolean tableReady;

    FiringLedger(DataSource dataSource, String table, boolean createTable, Duration queryTimeout) {
        this.dataSource = dataSource;
        this.table = Identifiers.tableName(table);
        this.createTable = createTable;
        // A statement waiting on a table lock (a migration, a DBA's ALTER) must not hold a worker: cancel it.
        this.queryTimeoutSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, queryTimeout.toSeconds()));
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
     * this firing. {@code claimed} is false if another instance already recorded it. Without {@code detectAbandoned}
     * (leader-only mode: no job lock proves the runner gone) unfinished rows are left alone.
     */
    Claim claim(String jobKey, Instant scheduledFireTime, String instanceId, boolean refire, boolean detectAbandoned)
            throws SQLException {
        return withConnection(c -> {
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
            try (PreparedStatement ps = prepare(
                    c,
                    "INSERT INTO " + table
                            + " (job_key, scheduled_fire_time, instance_id, started_at) VALUES (?, ?, ?, now())"
                            + " ON CONFLICT (job_key, scheduled_fire_time) DO NOTHING")) {
                ps.setString(1, jobKey);
                ps.setObject(2, utc(scheduledFireTime));
                ps.setString(3, instanceId);
                return new Claim(ps.executeUpdate() == 1, abandoned);
            }
        });
    }

    /** Takes over an ABANDONED firing for a recovery run; false if someone else already did. */
    boolean claimRecovery(String jobKey, Instant scheduledFireTime, String instanceId) throws SQLException {
        return withConnection(c -> {
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
        withConnection(c -> {
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
        return withConnection(c -> {
            try (PreparedStatement ps =
                    prepare(c, "DELETE FROM " + table + " WHERE started_at < now() - make_interval(secs => ?)")) {
                ps.setDouble(1, retention.toMillis() / 1000.0);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            discard();
        } finally {
            lock.unlock();
        }
    }

    private <T> T withConnection(SqlFunction<T> body) throws SQLException {
        lock.lock();
        try {
            if (closed) {
                // A callback after close() must not borrow a pool connection that nobody would give back.
                throw new SQLException("The firing ledger of this guard is closed", "08003");
            }
            if (connection != null && System.nanoTime() - lastUsedNanos > IDLE_CHECK_NANOS && !connection.isValid(1)) {
                // Idle long enough for a DBA timeout or a NAT to have cut it: reopen rather than fail a firing.
                discard();
            }
            lastUsedNanos = System.nanoTime();
            if (connection == null) {
                Connection c = dataSource.getConnection();
                try {
                    c.setAutoCommit(true);
                } catch (SQLException e) {
                    c.close();
                    throw e;
                }
                connection = c;
            }
            if (createTable && !tableReady) {
                createTable(connection);
            }
            tableReady = true;
            return body.apply(connection);
        } catch (SQLException | RuntimeException e) {
            discard();
            throw e;
        } finally {
            lock.unlock();
        }
    }

    @GuardedBy("lock")
    private void createTable(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.setQueryTimeout(queryTimeoutSeconds);
            for (String ddl : Identifiers.ledgerDdl(table)) {
                try {
                    st.execute(ddl);
                } catch (SQLException e) {
                    // Two instances creating the table at once: the loser's error says it exists now.
                    if (!SqlStates.createdConcurrently(e)) {
                        throw new SQLException(
                                "Could not create the firing ledger table " + table + " (" + ddl + "): "
                                        + e.getMessage(),
                                e.getSQLState(),
                                e);
                    }
                }
            }
        }
    }

    @GuardedBy("lock")
    private void discard() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException | RuntimeException ignored) {
                // the connection is being thrown away
            }
        }
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
