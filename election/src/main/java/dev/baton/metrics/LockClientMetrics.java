package dev.baton.metrics;

import dev.baton.lock.LockKey;
import java.util.function.IntSupplier;

/**
 * Receives what one {@link dev.baton.lock.LockClient} counts: the public seam behind which a metrics library sits
 * (Micrometer in {@code baton-micrometer}; Dropwizard through {@code LockClient.Builder.metrics(MetricRegistry)}).
 * Every method has an empty default, so an implementation overrides only what it records.
 *
 * <p>Called on the threads that lock, release and watch sessions, at once: implementations must be thread-safe and
 * must not block. An exception thrown here propagates into the lock operation, so do not throw.
 */
public interface LockClientMetrics {

    /**
     * A server lock on {@code key} was taken; {@code nanos} includes any wait. Keys are unbounded (10 000 are legal):
     * never make every key a meter tag.
     */
    default void acquired(LockKey key, long nanos) {}

    /** An attempt on {@code key} found it held elsewhere (a try that failed, or a timeout). */
    default void notAcquired(LockKey key) {}

    /** Holds were lost: {@code count} keys at once, as when their session died. */
    default void lost(int count) {}

    /** A session of the client died. */
    default void sessionLost() {}

    /** A new main session was opened after the first. */
    default void reconnected() {}

    /** Makes the metrics of one client when it is built; called once per client, on the building thread. */
    @FunctionalInterface
    interface Factory {
        /**
         * The metrics of client {@code instanceId}.
         *
         * @param heldKeys the number of keys the client holds on the server now, for a gauge; thread-safe, never
         *     blocks
         */
        LockClientMetrics create(String instanceId, IntSupplier heldKeys);
    }
}
