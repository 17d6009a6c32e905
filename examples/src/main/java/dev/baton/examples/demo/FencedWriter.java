package dev.baton.examples.demo;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The leader's side effect: {@code UPDATE baton_demo_fenced SET term = ? ... WHERE grp = ? AND term <= ?}. A write
 * with a term lower than one already written matches no row, so a stale leader is refused by the database itself,
 * whatever it believes. Not thread-safe beyond its synchronised methods; reconnects after a failure.
 */
final class FencedWriter implements AutoCloseable {
    static final String TABLE = "baton_demo_fenced";
    static final String DDL = "CREATE TABLE IF NOT EXISTS " + TABLE
            + " (grp text PRIMARY KEY, term bigint NOT NULL, writer text, writes bigint NOT NULL DEFAULT 0)";

    private final String url;
    private final Properties props;
    private final String group;
    private final String node;

    @GuardedBy("this")
    private Connection connection;

    FencedWriter(String url, Properties props, String group, String node) {
        this.url = url;
        this.props = props;
        this.group = group;
        this.node = node;
    }

    /** Creates the table and the group's row if missing (the demo's own DDL, done once before the nodes start). */
    static void prepare(Connection c, String group) throws SQLException {
        try (var st = c.createStatement()) {
            st.execute(DDL);
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO " + TABLE + " (grp, term) VALUES (?, 0) ON CONFLICT (grp) DO NOTHING")) {
            ps.setString(1, group);
            ps.executeUpdate();
        }
    }

    /** {@code accepted}, {@code refused} (a newer term was written), or {@code failed} (no database). */
    synchronized String write(long term) {
        try {
            if (connection == null) {
                Properties p = new Properties();
                p.putAll(props);
                p.setProperty("ApplicationName", node + "-writer");
                connection = DriverManager.getConnection(url, p);
            }
            try (PreparedStatement ps = connection.prepareStatement(
                    "UPDATE " + TABLE + " SET term = ?, writer = ?, writes = writes + 1 WHERE grp = ? AND term <= ?")) {
                ps.setLong(1, term);
                ps.setString(2, node);
                ps.setString(3, group);
                ps.setLong(4, term);
                return ps.executeUpdate() == 1 ? "accepted" : "refused";
            }
        } catch (SQLException e) {
            close();
            return "failed";
        }
    }

    @Override
    public synchronized void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // closing a broken connection: nothing left to do
            }
            connection = null;
        }
    }
}
