package dev.baton.lock.internal;

import dev.baton.lock.LockClient;
import dev.baton.lock.LockClientListener;
import dev.baton.lock.LockKey;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells listeners about lost holds, in order, on a thread of its own: the thread that noticed a loss may be in the
 * middle of a backend call for one of those keys, and a listener that locks or unlocks that key on it would wait for
 * itself. Losses are counted at once; a listener that throws is logged and the others still run.
 */
final class LossNotifier {
    private static final Logger log = LoggerFactory.getLogger(LossNotifier.class);

    private final List<LockClientListener> listeners;
    private final LockMetrics metrics;
    private final String instanceId;
    private final ExecutorService executor; // null when there are no listeners
    private final LockClient client;

    LossNotifier(String instanceId, List<LockClientListener> listeners, LockMetrics metrics, LockClient client) {
        this.instanceId = instanceId;
        this.client = client;
        this.listeners = List.copyOf(listeners);
        this.metrics = metrics;
        this.executor = listeners.isEmpty()
                ? null
                : new ThreadPoolExecutor(0, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "baton-lock-events-" + instanceId);
                    t.setDaemon(true);
                    return t;
                });
    }

    /** A session died: counted, and if it held keys, logged and reported as {@code SESSION_LOST}. */
    void sessionLost(Set<LockKey> keys, Throwable cause, boolean mainSession) {
        if (mainSession || !keys.isEmpty()) {
            metrics.sessionLost();
        }
        if (!keys.isEmpty()) {
            log.warn(
                    "Client '{}' lost a PostgreSQL session; {} held key(s) are lost: {}",
                    instanceId,
                    keys.size(),
                    keys,
                    cause);
            lost(keys, LockClientListener.Reason.SESSION_LOST, cause);
        }
    }

    void lost(Set<LockKey> keys, LockClientListener.Reason reason, Throwable cause) {
        metrics.lost(keys.size());
        if (executor == null) {
            return;
        }
        try {
            executor.execute(() -> deliver(keys, reason, cause));
        } catch (RejectedExecutionException closed) {
            log.debug("Client '{}' is closed; not reporting the loss of {}", instanceId, keys);
        }
    }

    /** Delivers what is queued (briefly), then stops. */
    void close() {
        if (executor != null) {
            executor.shutdown();
            try {
                if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                    log.warn("A LockClientListener of client '{}' did not return within 5 s", instanceId);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void deliver(Set<LockKey> keys, LockClientListener.Reason reason, Throwable cause) {
        for (LockClientListener listener : listeners) {
            try {
                listener.locksLost(client, keys, reason, cause);
            } catch (RuntimeException | Error e) {
                log.error("LockClientListener {} of client '{}' threw; ignored", listener, instanceId, e);
            }
        }
    }
}
