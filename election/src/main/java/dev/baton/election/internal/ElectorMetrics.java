package dev.baton.election.internal;

import dev.baton.election.LeadershipEvent;
import java.util.function.LongSupplier;

/** What an elector counts. The Dropwizard implementation is only loaded when a registry is given. */
interface ElectorMetrics {
    ElectorMetrics NONE = new ElectorMetrics() {};

    /**
     * @param term current term, 0 when not leading
     * @param millisSinceGoodCheck time since the last successful check while leading, 0 otherwise
     */
    static ElectorMetrics create(Object registry, String prefix, LongSupplier term, LongSupplier millisSinceGoodCheck) {
        return registry == null ? NONE : new DropwizardElectorMetrics(registry, prefix, term, millisSinceGoodCheck);
    }

    /** Won an election; {@code nanos} from the start of this candidacy to the new term. */
    default void elected(long nanos) {}

    default void revoked(LeadershipEvent.Reason reason) {}

    default void checked(long nanos) {}

    default void checkFailed() {}

    default void sessionLost() {}

    default void taskIgnoredInterrupt() {}
}
