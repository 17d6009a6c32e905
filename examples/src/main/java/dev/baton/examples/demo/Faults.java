package dev.baton.examples.demo;

import java.util.Locale;

/**
 * The fault schedule, as fractions of the run: SIGKILL of the leader; {@code pg_terminate_backend} of the next
 * leader's session followed by a stale write from it; a restart of the killed node; a graceful yield; another SIGKILL
 * and its restart. Runs on the orchestrator thread; sleeping between faults is the pace of the show.
 */
final class Faults {
    private final Cluster cluster;
    private final Timeline timeline;
    private final Console console;

    Faults(Cluster cluster, Timeline timeline, Console console) {
        this.cluster = cluster;
        this.timeline = timeline;
        this.console = console;
    }

    /** Runs the schedule from {@code start} for {@code nanos}; with {@code inject} false it only waits. */
    void run(long start, long nanos, boolean inject) throws Exception {
        if (!inject) {
            sleepUntil(start + nanos);
            return;
        }
        sleepUntil(start + nanos * 12 / 100);
        String firstVictim = kill();
        sleepUntil(start + nanos * 30 / 100);
        terminate();
        sleepUntil(start + nanos * 42 / 100);
        restart(firstVictim);
        sleepUntil(start + nanos * 56 / 100);
        yieldLeader();
        sleepUntil(start + nanos * 68 / 100);
        String secondVictim = kill();
        sleepUntil(start + nanos * 78 / 100);
        restart(secondVictim);
        for (NodeProcess n : cluster.nodes()) {
            n.awaitReady(60, java.util.concurrent.TimeUnit.SECONDS); // end with every node up
        }
        sleepUntil(start + nanos);
    }

    private Timeline.Term leader() throws InterruptedException {
        Timeline.Term t = cluster.awaitLeader(10_000);
        if (t == null) {
            throw new IllegalStateException("no leader with an accepted write within 10 s; see the node logs");
        }
        return t;
    }

    private String kill() throws InterruptedException {
        Timeline.Term t = leader();
        timeline.fault("SIGKILL", t.node(), System.nanoTime(), t.term());
        console.say("FAULT: SIGKILL " + t.node() + " (the leader, term " + t.term() + ")");
        cluster.kill(t.node());
        return t.node();
    }

    private void terminate() throws Exception {
        Timeline.Term t = leader();
        timeline.fault("pg_terminate_backend", t.node(), System.nanoTime(), t.term());
        console.say("FAULT: pg_terminate_backend of " + t.node() + "'s elector session (the leader, term " + t.term()
                + ")");
        int n = cluster.terminate(t.node());
        if (n != 1) {
            console.say(String.format(Locale.ROOT, "(%d sessions named %s were terminated)", n, t.node()));
        }
        Timeline.Term next = cluster.awaitLeaderAbove(t.term(), 10_000);
        if (next != null) {
            console.say("FAULT: " + t.node() + " writes once more with its old term " + t.term()
                    + ", as a leader that missed its revocation would");
            cluster.send(t.node(), "STALE");
        }
    }

    private void restart(String node) throws Exception {
        timeline.fault("restart", node, System.nanoTime(), Long.MAX_VALUE);
        console.say("FAULT: restart " + node + " (a new JVM)");
        cluster.restart(node);
    }

    private void yieldLeader() throws InterruptedException {
        Timeline.Term t = leader();
        timeline.fault("yield", t.node(), System.nanoTime(), t.term());
        console.say("FAULT: " + t.node() + " yields leadership (graceful hand-over, term " + t.term() + ")");
        cluster.send(t.node(), "YIELD");
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
        }
    }
}
