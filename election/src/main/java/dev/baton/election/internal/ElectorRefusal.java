package dev.baton.election.internal;

import dev.baton.BatonException;

/** The server cannot host an election (standby, transaction-mode pooler, missing table): retrying will not help. */
final class ElectorRefusal extends BatonException {
    private static final long serialVersionUID = 1L;

    ElectorRefusal(String message) {
        super(message);
    }

    ElectorRefusal(String message, Throwable cause) {
        super(message, cause);
    }
}
