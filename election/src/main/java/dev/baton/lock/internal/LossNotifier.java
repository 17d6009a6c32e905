package dev.baton.lock.internal;

import dev.baton.internal.OrderedDelivery;
import dev.baton.lock.LockClient;
import dev.baton.lock.LockClientListener;
import dev.baton.lock.LockKey;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts lost holds at once and tells the listeners, in order, on a thread of its own: the thread that noticed a loss
 * may be in the middle of a backend call for one of those keys, and a listener that locks or unlocks that key on it
 * would wait for itself.
 */
final class LossNotifier {
    private static final Logger log = LoggerFactory.getLogger(LossNotifier.class);

    private final String instanceId;
    private final LockMetrics metrics;
    private final LockClient client;
    private final OrderedDelivery<LockClientListener> delivery;

    LossNotifier(String instanceId, List<LockClientListener> listeners, LockMetrics metrics, LockClient client) {
        this.instanceId = instanceId;
        this.metrics = metrics;
        this.client = client;
        this.delivery = new OrderedDelivery<>(listeners, "baton-lock-events-" + instanceId);
    }

    /**
     * A session died, or was given up as silent ({@link HoldsInDoubt}): counted, and if it held keys, logged and reported
     * as {@code SESSION_LOST} or {@code IN_DOUBT}.
     */
    void sessionLost(Set<LockKey> keys, Throwable cause, boolean mainSession) {
        if (mainSession || !keys.isEmpty()) {
            metrics.sessionLost();
        }
        if (!keys.isEmpty()) {
            boolean inDoubt = cause instanceof HoldsInDoubt;
            log.warn(
                    "Client '{}' {}; {} held key(s) are {}: {}",
                    instanceId,
                    inDoubt ? "got no answer from PostgreSQL within lossTimeout" : "lost a PostgreSQL session",
                    keys.size(),
                    inDoubt ? "in doubt" : "lost",
                    keys,
                    cause);
            if (inDoubt) {
                metrics.inDoubt(keys.size());
            }
            lost(keys, inDoubt ? LockClientListener.Reason.IN_DOUBT : LockClientListener.Reason.SESSION_LOST, cause);
        }
    }

    void lost(Set<LockKey> keys, LockClientListener.Reason reason, Throwable cause) {
        metrics.lost(keys.size());
        delivery.deliver(reason + " " + keys, listener -> listener.locksLost(client, keys, reason, cause));
    }

    /** Delivers what is queued (at most 5 s), then stops. */
    void close() {
        delivery.shutdown(Duration.ofSeconds(5));
    }
}
