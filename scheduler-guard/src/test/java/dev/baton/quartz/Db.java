package dev.baton.quartz;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.baton.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A small pool on the shared test server for what jobs write and tests read. */
final class Db {
    private static final Object lock = new Object();

    @GuardedBy("lock")
    private static HikariDataSource pool;

    private Db() {}

    static HikariDataSource pool() {
        synchronized (lock) {
            if (pool == null) {
                HikariConfig config = new HikariConfig();
                config.setJdbcUrl(PostgresServer.shared().jdbcUrl());
                config.setMaximumPoolSize(6);
                config.setPoolName("test-jobs");
                config.setConnectionTimeout(30_000);
                config.setInitializationFailTimeout(-1);
                pool = new HikariDataSource(config);
            }
            return pool;
        }
    }

    /** Creates (again) the table jobs write their runs to. */
    static void createRuns(String table) throws SQLException {
        exec(
                "DROP TABLE IF EXISTS " + table,
                "CREATE TABLE " + table
                        + " (job text NOT NULL, scheduled_fire_time timestamptz NOT NULL, instance text NOT NULL,"
                        + " started_at timestamptz NOT NULL DEFAULT clock_timestamp(), finished_at timestamptz)");
    }

    static void exec(String... sql) throws SQLException {
        try (Connection c = pool().getConnection();
                Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    static long count(String sql, Object... args) {
        try (Connection c = pool().getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    static List<String> strings(String sql, Object... args) {
        try (Connection c = pool().getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** Runs per (job, scheduled fire time) in {@code table}. */
    static Map<String, Map<Instant, Integer>> runsByFiring(String table) {
        Map<String, Map<Instant, Integer>> out = new TreeMap<>();
        try (Connection c = pool().getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT job, scheduled_fire_time, count(*) FROM " + table + " GROUP BY 1, 2");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getString(1), k -> new TreeMap<>())
                        .put(rs.getObject(2, OffsetDateTime.class).toInstant(), rs.getInt(3));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
