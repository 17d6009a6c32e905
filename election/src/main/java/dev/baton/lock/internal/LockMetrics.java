package dev.baton.lock.internal;

import java.util.function.IntSupplier;

/** What a lock client counts. The Dropwizard implementation is only loaded when a registry is given. */
interface LockMetrics {
    LockMetrics NONE = new LockMetrics() {};

    static LockMetrics create(Object registry, String prefix, IntSupplier heldKeys) {
        return registry == null ? NONE : new DropwizardLockMetrics(registry, prefix, heldKeys);
    }

    /** A server lock was taken; {@code nanos} includes any wait. */
    default void acquired(long nanos) {}

    /** An attempt found the lock held elsewhere (try-lock false or timeout). */
    default void notAcquired() {}

    /** Holds were lost ({@code count} keys). */
    default void lost(int count) {}

    /** The session died. */
    default void sessionLost() {}

    /** A new session was opened after the first. */
    default void reconnected() {}
}
