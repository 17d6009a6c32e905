package dev.baton.examples;

import dev.baton.election.LeaderElector;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * A leader task that uses its fencing term to reject stale writes. A lock alone cannot stop a leader that lost its
 * leadership without knowing it yet (a long pause, a terminated session) from writing once more; the database can, if
 * every write carries the term and the row refuses a lower one: {@code UPDATE ... SET term = ? WHERE ... AND term <= ?}.
 * Returns {@code {newLeaderAccepted, staleWriteRefused}} (both true).
 */
public final class FencedLeaderTask {
    private FencedLeaderTask() {}

    public static void main(String[] args) throws Exception {
        Example.onEmbeddedPostgres(FencedLeaderTask::run);
    }

    /** Writes {@code value} as the leader of {@code term}; false if a newer term has written already. */
    static boolean fencedWrite(DataSource ds, long term, String value) throws SQLException {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "UPDATE example_fenced SET term = ?, value = ? WHERE id = 1 AND term <= ?")) {
            ps.setLong(1, term);
            ps.setString(2, value);
            ps.setLong(3, term);
            return ps.executeUpdate() == 1;
        }
    }

    static boolean[] run(DataSource dataSource) throws Exception {
        try (Connection c = dataSource.getConnection();
                Statement st = c.createStatement()) {
            st.execute(
                    "CREATE TABLE IF NOT EXISTS example_fenced (id int PRIMARY KEY, term bigint NOT NULL, value text)");
            st.execute("INSERT INTO example_fenced VALUES (1, 0, NULL) ON CONFLICT (id) DO NOTHING");
        }
        long[] terms = new long[2];
        CountDownLatch[] wrote = {new CountDownLatch(1), new CountDownLatch(1)};
        boolean newLeaderAccepted;
        try (LeaderElector a = leader(dataSource, "node-a", terms, 0, wrote[0]);
                LeaderElector b = leader(dataSource, "node-b", terms, 1, wrote[1])) {
            a.start();
            a.awaitLeadership(Duration.ofSeconds(10));
            wrote[0].await(10, TimeUnit.SECONDS);
            b.start();
            a.close(); // node-b takes over with a higher term and writes
            wrote[1].await(10, TimeUnit.SECONDS);
            newLeaderAccepted = terms[1] > terms[0];
        }
        // node-a, unaware, writes with its old term: the row refuses it.
        boolean staleRefused = !fencedWrite(dataSource, terms[0], "stale value from node-a");
        Example.say(
                "term " + terms[1] + " wrote; the stale write of term " + terms[0] + " was refused: " + staleRefused);
        return new boolean[] {newLeaderAccepted, staleRefused};
    }

    private static LeaderElector leader(DataSource ds, String id, long[] terms, int slot, CountDownLatch wrote) {
        return LeaderElector.builder(ds, "example-fenced")
                .instanceId(id)
                .whileLeader(ctx -> {
                    terms[slot] = ctx.term();
                    try {
                        boolean ok = fencedWrite(ds, ctx.term(), "written by " + id);
                        Example.say(id + " (term " + ctx.term() + ") wrote: " + ok);
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    } finally {
                        wrote.countDown();
                    }
                    new CountDownLatch(1).await(); // lead until interrupted
                })
                .build();
    }
}
