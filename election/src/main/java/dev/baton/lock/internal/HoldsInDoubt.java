package dev.baton.lock.internal;

import dev.baton.BatonException;

/**
 * Why a session's holds were given up although it may still be alive: it did not answer for {@code lossTimeout}. The
 * server may keep the locks until {@code serverReleaseAfter}; the holder is told before that.
 */
final class HoldsInDoubt extends BatonException {
    private static final long serialVersionUID = 1L;

    HoldsInDoubt(String message) {
        super(message);
    }
}
