package dev.baton.election;

import java.time.Instant;
import java.util.Objects;

/** Who leads a group, as recorded in the terms table: instance id, term, and when it was elected. Immutable, so thread-safe. */
public final class LeaderInfo {
    private final String instanceId;
    private final long term;
    private final Instant since;

    /** A leader record. */
    public LeaderInfo(String instanceId, long term, Instant since) {
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        this.term = term;
        this.since = Objects.requireNonNull(since, "since");
    }

    /** The leader's instance id (also its {@code application_name} in {@code pg_stat_activity}). */
    public String instanceId() {
        return instanceId;
    }

    /** The leader's fencing term. */
    public long term() {
        return term;
    }

    /** When the leader was elected (server clock). */
    public Instant since() {
        return since;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof LeaderInfo other)) {
            return false;
        }
        return term == other.term && instanceId.equals(other.instanceId) && since.equals(other.since);
    }

    @Override
    public int hashCode() {
        return Objects.hash(instanceId, term, since);
    }

    @Override
    public String toString() {
        return "LeaderInfo[instance=" + instanceId + ", term=" + term + ", since=" + since + "]";
    }
}
