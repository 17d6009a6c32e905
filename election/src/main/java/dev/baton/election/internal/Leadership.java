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

    void taskThread(Thread thread) {
        this.taskThread = thread;
    }
}
