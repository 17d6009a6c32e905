package dev.baton.election;

import dev.baton.BatonException;

/**
 * Thrown by {@link LeaderContext#checkLeadership()} when the term is no longer held; the message names the group, the
 * instance, the term and the reason.
 */
public class LeadershipLostException extends BatonException {
    private static final long serialVersionUID = 1L;

    /** An exception with a diagnostic message. */
    public LeadershipLostException(String message) {
        super(message);
    }
}
