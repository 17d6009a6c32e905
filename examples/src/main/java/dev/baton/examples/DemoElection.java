package dev.baton.examples;

import dev.baton.election.LeaderElector;
import dev.baton.election.LeadershipEvent;
import dev.baton.testkit.PostgresServer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Two electors in one group: one leads and runs the leader's task with its fencing term; when it closes, the other
 * takes over at once with a higher term.
 */
final class DemoElection {
    private DemoElection() {}

    static void run(PostgresServer server) throws Exception {
        BlockingQueue<LeadershipEvent> events = new LinkedBlockingQueue<>();
        try (LeaderElector a = elector(server, "node-a", events);
                LeaderElector b = elector(server, "node-b", events)) {
            a.start();
            a.awaitLeadership(Duration.ofSeconds(10));
            b.start();
            LeadershipEvent first = next(events);
            say(first.instanceId() + " leads with term " + first.term() + "; node-b waits in pg_advisory_lock");
            say("currentLeader() as node-b sees it: " + b.currentLeader().orElseThrow());

            long closing = System.nanoTime();
            a.close(); // revokes, releases, returns once the leader's task stopped
            LeadershipEvent revoked = next(events);
            LeadershipEvent elected = next(events);
            say(revoked.instanceId() + " " + revoked.type() + " (" + revoked.reason() + ")");
            say(elected.instanceId() + " " + elected.type() + " with term " + elected.term() + ", "
                    + (System.nanoTime() - closing) / 1_000_000 + " ms after node-a's close() began");
        }
    }

    private static LeaderElector elector(PostgresServer server, String id, BlockingQueue<LeadershipEvent> events) {
        return LeaderElector.builder(server.dataSource(), "demo-cron")
                .instanceId(id)
                .whileLeader(ctx -> {
                    // The leader's duties would go here; this one just holds on until leadership ends.
                    while (ctx.isLeader()) {
                        TimeUnit.MILLISECONDS.sleep(50);
                    }
                })
                .addListener(events::add)
                .build();
    }

    private static LeadershipEvent next(BlockingQueue<LeadershipEvent> events) throws InterruptedException {
        LeadershipEvent event = events.poll(10, TimeUnit.SECONDS);
        if (event == null) {
            throw new IllegalStateException("no leadership event within 10 s");
        }
        return event;
    }

    private static void say(String line) {
        Demo.say("election", line);
    }
}
