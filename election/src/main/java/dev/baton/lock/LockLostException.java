package dev.baton.lock;

import dev.baton.BatonException;

/** Thrown by {@link DistributedLock#checkValid()} when this thread's hold is no longer backed by PostgreSQL. */
public class LockLostException extends BatonException {
    private static final long serialVersionUID = 1L;

    /** An exception with a diagnostic message. */
    public LockLostException(String message) {
        super(message);
    }
}
