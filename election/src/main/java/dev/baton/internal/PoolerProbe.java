package dev.baton.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Detects a transaction- or statement-mode pooler (PgBouncer, pgcat, RDS Proxy...) between a session and PostgreSQL:
 * session-level advisory locks cannot work there, because each statement may run on another backend.
 *
 * <p>Method: our session reported backend pid P. A second session from the same source opens a transaction and asks
 * its pid; while that transaction pins its backend, our session asks its pid again. Without a pooler the second
 * session always has another pid and ours stays P. A transaction pooler hands the idle backend P to the second session
 * (same pid), or moves our next statement to another backend (pid changes).
 */
public final class PoolerProbe {
    private static final Logger log = LoggerFactory.getLogger(PoolerProbe.class);

    private PoolerProbe() {}

    /**
     * The evidence of a pooler, or empty if none was seen (also when no second session could be opened within
     * {@code waitMillis}: a full pool or a server at its connection limit; logged).
     *
     * @param threadName the thread that opens the second session, so a pool with no free slot cannot hold the caller
     */
    public static Optional<String> evidence(
            ConnectionSource source, Connection ours, int ourPid, String threadName, long waitMillis)
            throws SQLException {
        CompletableFuture<Connection> opening = new CompletableFuture<>();
        Threads.daemon(
                        () -> {
                            try {
                                opening.complete(source.open());
                            } catch (Throwable t) {
                                opening.completeExceptionally(t);
                            }
                        },
                        threadName)
                .start();
        Connection probe;
        try {
            probe = opening.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            log.info("Pooler probe could not open a second session ({}); probe skipped (best effort)", e.toString());
            var unused = opening.thenAccept(c -> Sessions.discard(source, c, true));
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            var unused = opening.thenAccept(c -> Sessions.discard(source, c, true));
            return Optional.empty();
        }
        int probePid;
        int ourPidAgain;
        boolean probeClean = false;
        try {
            try {
                probe.setAutoCommit(false);
                probePid = pid(probe);
            } catch (SQLException e) { // the probe's own session failed: no evidence either way, ours is fine
                log.info("Pooler probe's second session failed ({}); probe skipped", e.toString());
                return Optional.empty();
            }
            ourPidAgain = pid(ours); // a failure here is our session's, and the caller's to handle
            probe.rollback();
            probe.setAutoCommit(true); // a pool that does not reset it must not hand out an open transaction
            probeClean = true;
        } finally {
            Sessions.discard(source, probe, probeClean);
        }
        if (probePid == ourPid || ourPidAgain != ourPid) {
            return Optional.of("two open sessions shared backend pid " + ourPid + " or our session moved from pid "
                    + ourPid + " to " + ourPidAgain);
        }
        return Optional.empty();
    }

    /** The end of a refusal message: why advisory locks cannot work behind such a pooler, and the fix. */
    public static String why(ConnectionSource source) {
        return " (via " + source + "): a session-level advisory lock stays on whichever server backend ran the"
                + " statement, so it would leak to other clients and could never be checked or released. Connect"
                + " directly to PostgreSQL, or through a pooler in session mode";
    }

    private static int pid(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
