package dev.baton.lock.internal;

import dev.baton.internal.LossWatcher;
import dev.baton.internal.PgLocks;
import dev.baton.lock.LockHolder;
import dev.baton.lock.LockKey;
import dev.baton.lock.LockMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The statements a lock session prepares once and runs, always the single-{@code bigint} form of the advisory lock
 * functions so {@code pg_locks} shows a key the same way for every client.
 */
enum AdvisorySql {
    TRY_EXCLUSIVE("SELECT pg_try_advisory_lock(?)"),
    TRY_SHARED("SELECT pg_try_advisory_lock_shared(?)"),
    UNLOCK_EXCLUSIVE("SELECT pg_advisory_unlock(?)"),
    UNLOCK_SHARED("SELECT pg_advisory_unlock_shared(?)"),
    WAIT_EXCLUSIVE("SELECT pg_advisory_lock(?)"),
    WAIT_SHARED("SELECT pg_advisory_lock_shared(?)"),
    // set_config runs first, so the bound applies to this lock's wait; on a timeout it is rolled back with it.
    BOUNDED_EXCLUSIVE("SELECT set_config('lock_timeout', ?, false), pg_advisory_lock(?)"),
    BOUNDED_SHARED("SELECT set_config('lock_timeout', ?, false), pg_advisory_lock_shared(?)"),
    /**
     * Whether a session other than this one waits for the key exclusively (an ungranted ExclusiveLock in this
     * database): what makes PostgreSQL queue a new shared request of a third session.
     */
    EXCLUSIVE_WAITER("SELECT EXISTS (SELECT 1 FROM pg_locks l WHERE " + PgLocks.WAITING_KEY_CONDITION
            + " AND l.mode = 'ExclusiveLock' AND l.pid <> pg_backend_pid()"
            + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))"),
    /** The heartbeat: a live session on a primary. */
    IN_RECOVERY("SELECT pg_is_in_recovery()"),
    /** The main session's sentinel for the {@link LossWatcher}: taken at open, and found again on a watcher's alarm. */
    SENTINEL(LossWatcher.TAKE_SENTINEL_SQL);

    private static final String HOLDERS = "SELECT l.pid, coalesce(a.application_name, ''), l.mode,"
            + " coalesce(a.backend_start, now()) FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid"
            + " WHERE " + PgLocks.KEY_CONDITION
            + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            + " ORDER BY l.mode, l.pid";

    final String sql;

    AdvisorySql(String sql) {
        this.sql = sql;
    }

    static AdvisorySql tryLock(LockMode mode) {
        return mode == LockMode.EXCLUSIVE ? TRY_EXCLUSIVE : TRY_SHARED;
    }

    static AdvisorySql unlock(LockMode mode) {
        return mode == LockMode.EXCLUSIVE ? UNLOCK_EXCLUSIVE : UNLOCK_SHARED;
    }

    static AdvisorySql await(LockMode mode) {
        return mode == LockMode.EXCLUSIVE ? WAIT_EXCLUSIVE : WAIT_SHARED;
    }

    static AdvisorySql bounded(LockMode mode) {
        return mode == LockMode.EXCLUSIVE ? BOUNDED_EXCLUSIVE : BOUNDED_SHARED;
    }

    /** Every session holding {@code key} in the current database, exclusive holders first. */
    static List<LockHolder> holders(Connection c, LockKey key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(HOLDERS)) {
            PgLocks.bindKey(ps, 1, key.value());
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
