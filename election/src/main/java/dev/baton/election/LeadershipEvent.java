package dev.baton.election;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A change of leadership of one elector: {@link Type#ELECTED} or {@link Type#REVOKED}, with the group, instance id,
 * fencing term, the reason of a revocation, and the wall-clock time at which the elector changed state (not the time of
 * delivery). Immutable, so thread-safe.
 */
public final class LeadershipEvent {
    /** What happened. */
    public enum Type {
        /** This instance took the lock and a new term. */
        ELECTED,
        /** This instance no longer leads; see {@link Reason}. */
        REVOKED
    }

    /** Why leadership ended ({@link Reason#NONE} for {@link Type#ELECTED}). */
    public enum Reason {
        /** Not a revocation. */
        NONE,
        /** {@link LeaderElector#close()} was called. */
        STOPPED,
        /** {@link LeaderElector#yieldLeadership()} was called. */
        YIELDED,
        /** The session to PostgreSQL failed (terminated backend, server shutdown, closed socket, I/O error). */
        CONNECTION_LOST,
        /** A check found that the session no longer holds the lock, or that it can no longer lead (standby, pooler). */
        LOCK_LOST,
        /** No check succeeded within {@code stepDownAfter}. */
        CHECK_TIMEOUT,
        /** The leader task returned. */
        TASK_FINISHED,
        /** The leader task threw. */
        TASK_FAILED
    }

    private final Type type;
    private final Reason reason;
    private final String group;
    private final String instanceId;
    private final long term;
    private final Instant at;
    private final Throwable cause;

    /** An event; {@code cause} may be null. */
    public LeadershipEvent(
            Type type, Reason reason, String group, String instanceId, long term, Instant at, Throwable cause) {
        this.type = Objects.requireNonNull(type, "type");
        this.reason = Objects.requireNonNull(reason, "reason");
        this.group = Objects.requireNonNull(group, "group");
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        this.term = term;
        this.at = Objects.requireNonNull(at, "at");
        this.cause = cause;
    }

    /** ELECTED or REVOKED. */
    public Type type() {
        return type;
    }

    /** Why leadership ended; {@link Reason#NONE} for ELECTED. */
    public Reason reason() {
        return reason;
    }

    /** The election group. */
    public String group() {
        return group;
    }

    /** The instance this event is about (the elector that emitted it). */
    public String instanceId() {
        return instanceId;
    }

    /** The term that started (ELECTED) or ended (REVOKED). */
    public long term() {
        return term;
    }

    /** When the elector changed state (wall clock of this JVM). */
    public Instant at() {
        return at;
    }

    /** The failure behind a revocation, if any. */
    public Optional<Throwable> cause() {
        return Optional.ofNullable(cause);
    }

    @Override
    public String toString() {
        return "LeadershipEvent[" + type + (type == Type.REVOKED ? " " + reason : "") + ", group=" + group
                + ", instance=" + instanceId + ", term=" + term + ", at=" + at + "]";
    }
}
