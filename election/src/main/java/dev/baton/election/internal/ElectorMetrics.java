package dev.baton.election.internal;

import dev.baton.election.LeadershipEvent;

/**
 * What an elector counts: the one seam for metrics libraries. Each library has its own subpackage (Dropwizard in
 * {@code dropwizard}); the elector only sees this interface, so a library is loaded only when its registry was given.
 *
 * <p>Implementations are called from the elector's session, watchdog and task threads at once: they must be
 * thread-safe and must not block.
 */
public interface ElectorMetrics {
    /** Counts nothing. */
    ElectorMetrics NONE = new ElectorMetrics() {};

    /** Won an election; {@code nanosToAcquire} from the start of this candidacy to the new term. */
    default void elected(long nanosToAcquire) {}

    /** A term ended for {@code reason}. */
    default void revoked(LeadershipEvent.Reason reason) {}

    /** A leader's check proved the lock held; it took {@code nanos}. */
    default void checkSucceeded(long nanos) {}

    /** A leader's check failed without losing the session (the watchdog steps down if this goes on). */
    default void checkFailed() {}

    /** The session was discarded after a failure; a new one is opened. */
    default void sessionLost() {}

    /** A task ignored interruption for {@code taskStopTimeout}; the instance stays out of the election meanwhile. */
    default void taskIgnoredInterrupt() {}

    /**
     * The elector closed: gauges, which read its state, leave the registry (counters and timers stay, as totals).
     * Called once, by close().
     */
    default void close() {}

    /** What the elector reports on demand, for gauges. Thread-safe; never blocks. */
    interface Readings {
        /** The term held, 0 when not leading. */
        long term();

        /** Milliseconds since the last successful check while leading, 0 when not leading. */
        long millisSinceGoodCheck();
    }

    /** Makes the metrics of one elector when it is built; called once per elector, on the building thread. */
    @FunctionalInterface
    interface Factory {
        /** Counts nothing. */
        Factory NONE = (group, readings) -> ElectorMetrics.NONE;

        ElectorMetrics create(String group, Readings readings);
    }
}
