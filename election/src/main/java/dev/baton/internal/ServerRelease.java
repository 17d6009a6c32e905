package dev.baton.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * How soon PostgreSQL drops a client that went silent ({@code serverReleaseAfter}), and the session settings that make
 * it so: {@code tcp_keepalives_idle + tcp_keepalives_interval * tcp_keepalives_count} and {@code tcp_user_timeout}
 * (unacknowledged data sent into a partition fails by the same deadline). The backend then exits and its advisory
 * locks go to the next session. Applies to TCP connections only: over a Unix socket the server cannot time out a
 * silent client. Immutable.
 *
 * @param after the whole-second budget
 * @param idleSeconds {@code tcp_keepalives_idle}
 * @param intervalSeconds {@code tcp_keepalives_interval}
 */
public record ServerRelease(Duration after, int idleSeconds, int intervalSeconds) {
    /** {@code tcp_keepalives_count}. */
    public static final int KEEPALIVE_COUNT = 3;

    private static final String SQL = "SELECT set_config('tcp_keepalives_idle', ?, false),"
            + " set_config('tcp_keepalives_interval', ?, false), set_config('tcp_keepalives_count', ?, false),"
            + " set_config('tcp_user_timeout', ?, false), inet_server_port()";

    /**
     * The settings for {@code after}: count 3, a fifth of the budget per probe (so one lost probe does not end a
     * healthy session), the rest idle.
     *
     * @throws IllegalArgumentException if {@code after} is shorter than 4 s or not whole seconds
     */
    public static ServerRelease of(Duration after, String what) {
        Validate.positive(after, what);
        if (after.compareTo(Duration.ofSeconds(4)) < 0) {
            throw new IllegalArgumentException(what + " must be at least 4000 ms, got " + after);
        }
        if (after.toNanosPart() != 0) {
            throw new IllegalArgumentException(
                    what + " must be whole seconds (TCP keepalive counts seconds), got " + after);
        }
        long total = after.toSeconds();
        int interval = (int) Math.max(1, total / 5);
        return new ServerRelease(after, (int) (total - (long) interval * KEEPALIVE_COUNT), interval);
    }

    /** {@code tcp_user_timeout} in milliseconds: the whole budget. */
    public int tcpUserTimeoutMillis() {
        return (int) after.toMillis();
    }

    /**
     * Sets the four settings on {@code c} (one round trip).
     *
     * @return false if the session runs over a Unix socket, where none of them applies
     */
    public boolean apply(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SQL)) {
            ps.setString(1, Integer.toString(idleSeconds));
            ps.setString(2, Integer.toString(intervalSeconds));
            ps.setString(3, Integer.toString(KEEPALIVE_COUNT));
            ps.setString(4, Integer.toString(tcpUserTimeoutMillis()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getObject(5) != null;
            }
        }
    }

    /** The figures, for logs and messages. */
    public String describe() {
        return "serverReleaseAfter=" + after.toMillis() + " ms (tcp_keepalives_idle=" + idleSeconds + " s, interval="
                + intervalSeconds + " s, count=" + KEEPALIVE_COUNT + ", tcp_user_timeout=" + tcpUserTimeoutMillis()
                + " ms)";
    }
}
