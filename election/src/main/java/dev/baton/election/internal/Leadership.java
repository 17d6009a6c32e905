package dev.baton.election.internal;

import dev.baton.election.LeaderContext;
import dev.baton.election.LeadershipEvent;
import dev.baton.election.LeadershipLostException;

/** One term of leadership of one elector; the task's {@link LeaderContext}. */
final class Leadership implements LeaderContext {
    private final ElectorConfig config;
    private final long term;
    private volatile LeadershipEvent.Reason revokedFor; // null while held; set once, under the elector's state lock
    private volatile Thread taskThread; // null when there is no task

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

    // called under the elector's state lock
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
