package dev.baton.lock;

import dev.baton.BatonException;

/**
 * Thrown when an acquire would make a client hold more distinct keys than its cap. The server's lock table is shared
 * by every session of the cluster; exhausting it makes new connections fail, so the client refuses first.
 */
public class TooManyLocksException extends BatonException {
    private static final long serialVersionUID = 1L;

    /** An exception with a diagnostic message. */
    public TooManyLocksException(String message) {
        super(message);
    }
}
