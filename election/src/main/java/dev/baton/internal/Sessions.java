package dev.baton.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Session settings applied at connect, and the safe way to give a connection back. */
public final class Sessions {
    private static final Logger log = LoggerFactory.getLogger(Sessions.class);

    private Sessions() {}

    /** What {@link #apply} learnt of the session. */
    public record Applied(int pid, boolean inRecovery) {}

    /**
     * One round trip: names the session, turns off the timeouts a DBA default could use to kill a lock holder, and
     * drops any advisory lock a pooled connection still carries from an earlier borrower.
     *
     * @param waiter a waiter connection also gets {@code client_connection_check_interval}, so a backend blocked in
     *     {@code pg_advisory_lock} notices within a second that our JVM died instead of taking the lock for nobody
     * @return the backend pid, and whether the server is a standby ({@code pg_is_in_recovery()}, in the same round trip)
     */
    public static Applied apply(Connection c, String applicationName, boolean waiter) throws SQLException {
        int major = c.getMetaData().getDatabaseMajorVersion();
        StringBuilder sql = new StringBuilder("SELECT pg_backend_pid(), pg_is_in_recovery(),"
                + " set_config('application_name', ?, false),"
                + " set_config('statement_timeout', '0', false), set_config('lock_timeout', '0', false),"
                + " set_config('idle_in_transaction_session_timeout', '0', false), pg_advisory_unlock_all()");
        if (major >= 14) {
            sql.append(", set_config('idle_session_timeout', '0', false)");
            if (waiter) {
                sql.append(", set_config('client_connection_check_interval', '1000', false)");
            }
        }
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            ps.setString(1, applicationName);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Applied(rs.getInt(1), rs.getBoolean(2));
            }
        }
    }

    /**
     * Gives a connection back. A healthy one first drops every advisory lock (a pool would otherwise hand them to the
     * next borrower); one whose state is in doubt is evicted from its pool or aborted, never returned as is.
     */
    public static void discard(ConnectionSource source, Connection c, boolean healthy) {
        if (c == null) {
            return;
        }
        if (healthy) {
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_advisory_unlock_all()");
                // apply() and the waits changed session settings (timeouts, keepalives, application_name): a pool's
                // next borrower must get the server's defaults back, not a 60 s lock_timeout of ours.
                st.execute("RESET ALL");
                c.close();
                return;
            } catch (SQLException e) {
                log.debug("Could not release advisory locks before closing; aborting the connection", e);
            }
        }
        if (source.mayBePooled() && source.evict(c)) {
            return;
        }
        try {
            c.unwrap(Connection.class).abort(Runnable::run);
        } catch (SQLException | RuntimeException e) {
            log.debug("Abort failed", e);
        }
        try {
            c.close();
        } catch (SQLException e) {
            log.debug("Close after abort failed", e);
        }
    }
}
