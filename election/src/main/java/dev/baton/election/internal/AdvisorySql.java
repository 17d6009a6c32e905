package dev.baton.election.internal;

import dev.baton.election.LockHolder;
import dev.baton.election.LockKey;
import dev.baton.election.LockMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The SQL a lock session runs, always the single-{@code bigint} form of the advisory lock functions. */
final class AdvisorySql {
    static final int TRY = 0;
    static final int UNLOCK = 2;
    static final int WAIT = 4;
    static final int BOUNDED = 6;

    /** Prepared once per session, indexed by {@link #TRY}, {@link #UNLOCK}, {@link #WAIT}, {@link #BOUNDED} + mode. */
    static final List<String> STATEMENTS = List.of(
            "SELECT pg_try_advisory_lock(?)",
            "SELECT pg_try_advisory_lock_shared(?)",
            "SELECT pg_advisory_unlock(?)",
            "SELECT pg_advisory_unlock_shared(?)",
            "SELECT pg_advisory_lock(?)",
            "SELECT pg_advisory_lock_shared(?)",
            // set_config runs first, so the bound applies to this lock's wait; on a timeout it is rolled back with it.
            "SELECT set_config('lock_timeout', ?, false), pg_advisory_lock(?)",
            "SELECT set_config('lock_timeout', ?, false), pg_advisory_lock_shared(?)");

    // pg_locks shows a bigint key as classid = high 32 bits, objid = low 32 bits (both oid, unsigned), objsubid = 1.
    private static final String HOLDERS = "SELECT l.pid, coalesce(a.application_name, ''), l.mode,"
            + " coalesce(a.backend_start, now()) FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid"
            + " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
            + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            + " AND l.classid::bigint = ? AND l.objid::bigint = ? ORDER BY l.mode, l.pid";

    private AdvisorySql() {}

    /** Every session holding {@code key} in the current database, exclusive holders first. */
    static List<LockHolder> holders(Connection c, LockKey key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(HOLDERS)) {
            ps.setLong(1, key.value() >>> 32);
            ps.setLong(2, key.value() & 0xffffffffL);
            List<LockHolder> holders = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    LockMode mode = "ExclusiveLock".equals(rs.getString(3)) ? LockMode.EXCLUSIVE : LockMode.SHARED;
                    holders.add(new LockHolder(
                            rs.getInt(1),
                            rs.getString(2),
                            mode,
                            rs.getTimestamp(4).toInstant()));
                }
            }
            return holders;
        }
    }
}
