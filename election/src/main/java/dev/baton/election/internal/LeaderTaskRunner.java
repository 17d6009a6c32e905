package dev.baton.election.internal;

import dev.baton.election.LeadershipEvent.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the leader task for one term on its own thread and turns its end into a revocation. */
final class LeaderTaskRunner implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(LeaderTaskRunner.class);

    private final LeadershipState state;
    private final Leadership leadership;

    LeaderTaskRunner(LeadershipState state, Leadership leadership) {
        this.state = state;
        this.leadership = leadership;
    }

    @Override
    public void run() {
        try {
            runTask();
        } finally {
            // The task is over: a term given up while it ran (close, yield) or by its end is handed over now.
            leadership.taskDone();
            leadership.handOverIfReady();
        }
    }

    private void runTask() {
        if (!leadership.isLeader()) {
            return; // revoked between election and start: never run a task for a lost term
        }
        try {
            state.config.task.run(leadership);
            if (state.config.releaseWhenTaskReturns) {
                state.revoke(leadership, Reason.TASK_FINISHED, null);
            }
        } catch (InterruptedException e) {
            // Interrupted because leadership ended (the usual way out), or by someone else while still leading.
            if (leadership.isLeader()) {
                state.revoke(leadership, Reason.TASK_FAILED, e);
            }
        } catch (Throwable t) {
            if (leadership.isLeader()) {
                log.error(
                        "Leader task of '{}' (group '{}', term {}) failed; giving up leadership",
                        leadership.instanceId(),
                        leadership.group(),
                        leadership.term(),
                        t);
                state.revoke(leadership, Reason.TASK_FAILED, t);
            } else {
                log.debug("Leader task ended with {} after leadership was revoked", t.toString());
            }
        }
    }
}
