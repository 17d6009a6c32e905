package dev.baton.election.internal;

import dev.baton.election.LeaderInfo;
import dev.baton.election.LockKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Optional;

/** SQL of the terms table {@code (group_name PK, term, holder, elected_at)}; the same DDL ships in docs/sql/. */
final class LeaderTerms {
    private final String table;

    LeaderTerms(String table) {
        this.table = table;
    }

    String ddl() {
        return "CREATE TABLE IF NOT EXISTS " + table + " (group_name text PRIMARY KEY,"
                + " term bigint NOT NULL CHECK (term > 0), holder text NOT NULL, elected_at timestamptz NOT NULL)";
    }

    /** Creates the table if missing; concurrent creators race on the catalog, so a duplicate error is success. */
    void create(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(ddl());
        } catch (SQLException e) {
            if (!"23505".equals(e.getSQLState()) && !"42P07".equals(e.getSQLState())) {
                throw e;
            }
        }
    }

    /** Statement that increments the group's term; parameters: group, holder. Returns term, elected_at. */
    String bumpSql() {
        return "INSERT INTO " + table
                + " AS t (group_name, term, holder, elected_at) VALUES (?, 1, ?, clock_timestamp())"
                + " ON CONFLICT (group_name) DO UPDATE SET term = t.term + 1, holder = EXCLUDED.holder,"
                + " elected_at = EXCLUDED.elected_at RETURNING term, elected_at";
    }

    /** The recorded leader, if the group's lock is held by any session right now. */
    Optional<LeaderInfo> read(Connection c, String group, LockKey key) throws SQLException {
        String sql = "SELECT t.holder, t.term, t.elected_at FROM " + table + " t WHERE t.group_name = ?"
                + " AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted"
                + " AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                + " AND l.classid::bigint = ? AND l.objid::bigint = ?)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, group);
            ps.setLong(2, key.value() >>> 32);
            ps.setLong(3, key.value() & 0xffffffffL);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Instant since = rs.getTimestamp(3).toInstant();
                return Optional.of(new LeaderInfo(rs.getString(1), rs.getLong(2), since));
            }
        }
    }
}
