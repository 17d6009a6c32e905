package dev.baton.election.internal;

import dev.baton.internal.Sessions;
import dev.baton.internal.Threads;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Detects a transaction- or statement-mode pooler (PgBouncer, pgcat, RDS Proxy...) between the elector and
 * PostgreSQL: session-level advisory locks cannot work there, because each statement may run on another backend.
 *
 * <p>Method: our session reported backend pid P. A second session from the same source opens a transaction and asks
 * its pid; while that transaction pins its backend, our session asks its pid again. Without a pooler the second
 * session always has another pid and ours stays P. A transaction pooler hands the idle backend P to the second session
 * (same pid), or moves our next statement to another backend (pid changes). Each check of the leader compares the pid
 * again, so a pooler that escaped this probe is caught at the first statement that moves.
 */
final class ElectorPoolerProbe {
    private static final Logger log = LoggerFactory.getLogger(ElectorPoolerProbe.class);
    private static final long PROBE_TIMEOUT_MS = 3000;

    private ElectorPoolerProbe() {}

    static void refuseTransactionPooling(ElectorConfig config, Connection ours, int ourPid) throws SQLException {
        CompletableFuture<Connection> opening = new CompletableFuture<>();
        // On a thread of its own so a pool with no free slot cannot hold start() beyond PROBE_TIMEOUT_MS.
        Threads.daemon(
                        () -> {
                            try {
                                opening.complete(config.source.open());
                            } catch (Throwable t) {
                                opening.completeExceptionally(t);
                            }
                        },
                        "baton-elector-" + config.group + "-pooler-probe")
                .start();
        Connection probe;
        try {
            probe = opening.get(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // A pool with no free slot, or a server at its connection limit: the per-check pid comparison remains.
            log.info(
                    "Elector '{}': pooler probe could not open a second session ({}); relying on pid checks",
                    config.instanceId,
                    e.toString());
            var unused = opening.thenAccept(c -> Sessions.discard(config.source, c, true));
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            var unused = opening.thenAccept(c -> Sessions.discard(config.source, c, true));
            return;
        }
        int probePid;
        int ourPidAgain;
        try {
            probe.setAutoCommit(false);
            probePid = pid(probe);
            ourPidAgain = pid(ours);
            probe.rollback();
        } finally {
            Sessions.discard(config.source, probe, true);
        }
        if (probePid == ourPid || ourPidAgain != ourPid) {
            throw pooler(
                    config,
                    "two open sessions shared backend pid " + ourPid + " or our session moved from pid " + ourPid
                            + " to " + ourPidAgain);
        }
    }

    static ElectorRefusal pooler(ElectorConfig config, String evidence) {
        return new ElectorRefusal("Elector '" + config.instanceId + "' of group '" + config.group + "' is behind a"
                + " transaction- or statement-mode connection pooler (" + evidence + ", via " + config.source + "):"
                + " a session-level advisory lock stays on whichever server backend ran the statement, so leadership"
                + " would leak to other clients and could never be checked or released. Connect directly to"
                + " PostgreSQL, or through a pooler in session mode");
    }

    private static int pid(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
