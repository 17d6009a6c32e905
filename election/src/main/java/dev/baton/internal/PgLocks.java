package dev.baton.internal;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The {@code pg_locks} condition for one single-{@code bigint} advisory key: PostgreSQL shows it as {@code classid} =
 * the high 32 bits and {@code objid} = the low 32 bits (both unsigned {@code oid}), {@code objsubid} = 1.
 */
public final class PgLocks {
    /** Alias {@code l} for {@code pg_locks}; two parameters, bound by {@link #bindKey}. */
    public static final String KEY_CONDITION =
            "l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.classid::bigint = ? AND l.objid::bigint = ?";

    /** As {@link #KEY_CONDITION}, for requests still waiting ({@code NOT l.granted}). */
    public static final String WAITING_KEY_CONDITION = "l.locktype = 'advisory' AND NOT l.granted AND l.objsubid = 1"
            + " AND l.classid::bigint = ? AND l.objid::bigint = ?";

    private PgLocks() {}

    /** Binds {@code key} to the two parameters of {@link #KEY_CONDITION} starting at {@code index}. */
    public static void bindKey(PreparedStatement ps, int index, long key) throws SQLException {
        ps.setLong(index, key >>> 32);
        ps.setLong(index + 1, key & 0xffffffffL);
    }
}
