package dev.baton.metrics;

import dev.baton.election.LeadershipEvent;

/**
 * Receives what one {@link dev.baton.election.LeaderElector} counts: the public seam behind which a metrics library
 * sits (Micrometer in {@code baton-micrometer}; Dropwizard through {@code LeaderElector.Builder.metrics(MetricRegistry)}).
 * Every method has an empty default.
 *
 * <p>Called from the elector's session, watchdog and task threads at once: implementations must be thread-safe, must
 * not block and must not throw.
 */
public interface ElectorMetrics {

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
        /** The metrics of the elector of {@code group}, whose state {@code readings} reports. */
        ElectorMetrics create(String group, Readings readings);
    }
}
