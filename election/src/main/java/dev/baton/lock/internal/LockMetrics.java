package dev.baton.lock.internal;

import dev.baton.lock.LockKey;
import java.util.function.IntSupplier;

/**
 * What a lock client counts: the seam behind which a metrics library sits (Dropwizard in {@code .dropwizard}).
 * Implementations must be thread-safe and must not block.
 */
public interface LockMetrics {
    LockMetrics NONE = new LockMetrics() {};

    /** Makes a client's metrics once its instance id is known. */
    @FunctionalInterface
    interface Factory {
        Factory NONE = (instanceId, heldKeys) -> LockMetrics.NONE;

        /** The metrics of client {@code instanceId}; {@code heldKeys} counts its keys held on the server now. */
        LockMetrics create(String instanceId, IntSupplier heldKeys);
    }

    /** A server lock was taken; {@code nanos} includes any wait. */
    default void acquired(long nanos) {}

    /** As {@link #acquired(long)}, for {@code key}; the public seam sees the key. */
    default void acquired(LockKey key, long nanos) {
        acquired(nanos);
    }

    /** An attempt found the lock held elsewhere (try-lock false or timeout). */
    default void notAcquired() {}

    /** As {@link #notAcquired()}, for {@code key}. */
    default void notAcquired(LockKey key) {
        notAcquired();
    }

    /** Holds were lost ({@code count} keys). */
    default void lost(int count) {}

    /** The session died. */
    default void sessionLost() {}

    /** A session holding locks did not answer for {@code lossTimeout}; its {@code count} keys are in doubt. */
    default void inDoubt(int count) {}

    /** A new session was opened after the first. */
    default void reconnected() {}

    /** Registers the gauge of open waiter sessions (waiting, holding or idle); called once per client. */
    default void waiterSessions(IntSupplier open) {}
}
