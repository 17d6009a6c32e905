package dev.baton.election;

/**
 * What a {@link LeaderTask} knows about its term. Thread-safe; valid for one term only.
 *
 * <p>By the time any line of the task runs, leadership may already have been lost: check before every externally
 * visible action, and pass {@link #term()} to downstream systems as a fencing token (they should reject a term lower
 * than the highest they have seen).
 */
public interface LeaderContext {
    /** The group this instance leads. */
    String group();

    /** This instance's id. */
    String instanceId();

    /** The fencing term of this leadership: strictly greater than every earlier term of the group. */
    long term();

    /** Whether this term is still held (false from the moment it was revoked, for any reason). Never blocks. */
    boolean isLeader();

    /**
     * Throws if this term is no longer held. Never blocks.
     *
     * @throws LeadershipLostException naming the group, term and reason
     */
    void checkLeadership();
}
