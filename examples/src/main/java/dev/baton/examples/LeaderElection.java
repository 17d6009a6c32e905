package dev.baton.examples;

import dev.baton.election.LeaderElector;
import dev.baton.election.LeadershipEvent;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * go-pglock's leader election, done so that a lost session is noticed: two candidates, one leads and runs the
 * leader's task; when it closes, the other is elected at once with a higher fencing term. Returns the two terms.
 */
public final class LeaderElection {
    private LeaderElection() {}

    public static void main(String[] args) throws Exception {
        Example.onEmbeddedPostgres(LeaderElection::run);
    }

    static long[] run(DataSource dataSource) throws InterruptedException {
        BlockingQueue<LeadershipEvent> elected = new LinkedBlockingQueue<>();
        try (LeaderElector a = candidate(dataSource, "node-a", elected);
                LeaderElector b = candidate(dataSource, "node-b", elected)) {
            a.start();
            a.awaitLeadership(Duration.ofSeconds(10));
            b.start();
            LeadershipEvent first = elected.poll(10, TimeUnit.SECONDS);
            Example.say(first.instanceId() + " leads with term " + first.term() + "; currentLeader() on node-b: "
                    + b.currentLeader().map(l -> l.instanceId()).orElse("none"));
            a.close(); // revokes, waits for the task to stop, releases: node-b is elected at once
            LeadershipEvent second = elected.poll(10, TimeUnit.SECONDS);
            Example.say(second.instanceId() + " leads with term " + second.term());
            return new long[] {first.term(), second.term()};
        }
    }

    private static LeaderElector candidate(DataSource ds, String id, BlockingQueue<LeadershipEvent> elected) {
        return LeaderElector.builder(ds, "example-leader")
                .instanceId(id)
                .whileLeader(ctx -> new CountDownLatch(1).await()) // the leader's work; interrupted when it ends
                .addListener(e -> {
                    if (e.type() == LeadershipEvent.Type.ELECTED) {
                        elected.add(e);
                    }
                })
                .build();
    }
}
