package dev.baton.election.internal;

import dev.baton.election.LeaderContext;
import dev.baton.election.LeadershipEvent;
import dev.baton.election.LeadershipLostException;

/**
 * One term of leadership of one elector; the task's {@link LeaderContext}. Thread-safe, never blocks: the task reads
 * it while the session thread, the watchdog or close() revoke it.
 */
final class Leadership implements LeaderContext {
    private final ElectorConfig config;
    private final long term;
    private volatile LeadershipEvent.Reason revokedFor; // null while held; set once, by markRevoked
    private volatile Thread taskThread; // null when there is no task; set before the term is published
    private volatile boolean taskDone; // set by the task's thread as it ends
    private volatile TermRelease release; // set before the term is published; null in tests without a session

    Leadership(ElectorConfig config, long term) {
        this.config = config;
        this.term = term;
    }

    @Override
    public String group() {
        return config.group;
    }

    @Override
    public String instanceId() {
        return config.instanceId;
    }

    @Override
    public long term() {
        return term;
    }

    @Override
    public boolean isLeader() {
        return revokedFor == null;
    }

    @Override
    public void checkLeadership() {
        LeadershipEvent.Reason reason = revokedFor;
        if (reason != null) {
            throw new LeadershipLostException("Leadership of group '" + config.group + "' by '" + config.instanceId
                    + "' (term " + term + ") was revoked: " + reason);
        }
    }

    /** The reason it was revoked, or null while held. */
    LeadershipEvent.Reason revokedFor() {
        return revokedFor;
    }

    /**
     * Ends the term. Only {@link LeadershipState#revoke} calls it, under its lock and only for the current term, so it
     * happens once and {@code isLeader()} is false before REVOKED is queued.
     */
    void markRevoked(LeadershipEvent.Reason reason) {
        this.revokedFor = reason;
    }

    Thread taskThread() {
        return taskThread;
    }

    /** Whether the term's task has ended (or there is none). Never blocks. */
    boolean taskStopped() {
        Thread t = taskThread;
        return t == null || taskDone || !t.isAlive();
    }

    /** Called by the task's thread once the task has returned or thrown (or was never started). */
    void taskDone() {
        taskDone = true;
    }

    /** Whether the term was given up on purpose, so its lock is released, not left to a session in doubt. */
    boolean endedGracefully() {
        LeadershipEvent.Reason r = revokedFor;
        return r == LeadershipEvent.Reason.STOPPED
                || r == LeadershipEvent.Reason.YIELDED
                || r == LeadershipEvent.Reason.TASK_FINISHED
                || r == LeadershipEvent.Reason.TASK_FAILED;
    }

    /** Whether the elector pauses ({@code rejoinAfterYield}) before contending again after this term. */
    boolean pausesBeforeRejoin() {
        LeadershipEvent.Reason r = revokedFor;
        return r == LeadershipEvent.Reason.YIELDED
                || r == LeadershipEvent.Reason.TASK_FINISHED
                || r == LeadershipEvent.Reason.TASK_FAILED;
    }

    TermRelease release() {
        return release;
    }

    void release(TermRelease r) {
        this.release = r;
    }

    /** Hands the lock over at once if the term ended gracefully and its task stopped; see {@link TermRelease}. */
    void handOverIfReady() {
        TermRelease r = release;
        if (r != null) {
            r.handOverIfReady();
        }
    }

    void taskThread(Thread thread) {
        this.taskThread = thread;
    }
}
