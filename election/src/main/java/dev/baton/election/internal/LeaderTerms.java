package dev.baton.election.internal;

import dev.baton.election.LeaderInfo;
import dev.baton.internal.PgLocks;
import dev.baton.internal.SqlStates;
import dev.baton.lock.LockKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Optional;

/**
 * SQL of the terms table {@code (group_name PK, term, holder, elected_at)}; the same DDL ships in docs/sql/.
 *
 * <p>A term is {@code timeline * 1 000 000 000 + n}: the server's timeline (which every promotion of a standby
 * increments) in the leading digits, the n-th election on that timeline in the last nine. With asynchronous replication
 * a promoted standby may miss the last bumps of the old primary, but not its timeline: the first term on the new
 * timeline is above every term of the old one. Rows written before this scheme (plain counters) are read as they are
 * and the next bump jumps above them.
 */
final class LeaderTerms {
    /** Elections one timeline can hold before its terms run into the next timeline's. */
    static final long TERMS_PER_TIMELINE = 1_000_000_000L;

    /**
     * The server's current timeline, from the name of the WAL file being written (its first 8 hex digits). Any role
     * may call these functions on a primary (pg_control_checkpoint() would also answer, but it shows the timeline of
     * the last checkpoint, which lags a promotion); on a standby they fail, like the write they go with.
     */
    static final String TIMELINE_SQL = "('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::bigint";

    private final String table;

    LeaderTerms(String table) {
        this.table = table;
    }

    private String ddl() {
        return "CREATE TABLE IF NOT EXISTS " + table + " (group_name text PRIMARY KEY,"
                + " term bigint NOT NULL CHECK (term > 0), holder text NOT NULL, elected_at timestamptz NOT NULL)";
    }

    /** Creates the table if missing; concurrent creators race on the catalog, so a duplicate error is success. */
    void create(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(ddl());
        } catch (SQLException e) {
            if (!SqlStates.createdConcurrently(e)) {
                throw e;
            }
        }
    }

    /** Refuses a missing table, or one this role cannot read and write, before anyone is elected. */
    void verify(Connection c, ElectorConfig config) throws SQLException {
        String sql = "SELECT has_table_privilege(?, 'SELECT') AND has_table_privilege(?, 'INSERT')"
                + " AND has_table_privilege(?, 'UPDATE')";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 1; i <= 3; i++) {
                ps.setString(i, table);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new ElectorRefusal("Elector '" + config.instanceId + "' of group '" + config.group
                            + "': this role lacks SELECT, INSERT or UPDATE on the terms table " + table);
                }
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState()) || "3F000".equals(e.getSQLState())) {
                throw new ElectorRefusal(
                        "Elector '" + config.instanceId + "' of group '" + config.group + "': the terms table " + table
                                + " does not exist and createTable is off; run docs/sql/baton_leader_terms.sql"
                                + " (adapted to this name) or let the elector create it",
                        e);
            }
            throw e;
        }
    }

    /**
     * Statement that takes the group's next term: one more than the last, and at least the first term of the server's
     * timeline. Parameters: group, holder. Returns the new term and the timeline.
     */
    String bumpSql() {
        return "INSERT INTO " + table + " AS t (group_name, term, holder, elected_at) VALUES (?, " + TIMELINE_SQL
                + " * " + TERMS_PER_TIMELINE + " + 1, ?, clock_timestamp())"
                + " ON CONFLICT (group_name) DO UPDATE SET term = GREATEST(t.term + 1, EXCLUDED.term),"
                + " holder = EXCLUDED.holder, elected_at = EXCLUDED.elected_at RETURNING term, " + TIMELINE_SQL;
    }

    /** The timeline a term was taken on (for a term of this scheme; earlier plain counters give 0). */
    static long timelineOf(long term) {
        return term / TERMS_PER_TIMELINE;
    }

    /** The recorded leader, if the group's lock is held by any session right now. */
    Optional<LeaderInfo> read(Connection c, String group, LockKey key) throws SQLException {
        String sql = "SELECT t.holder, t.term, t.elected_at FROM " + table + " t WHERE t.group_name = ?"
                + " AND EXISTS (SELECT 1 FROM pg_locks l WHERE " + PgLocks.KEY_CONDITION
                + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, group);
            PgLocks.bindKey(ps, 2, key.value());
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
