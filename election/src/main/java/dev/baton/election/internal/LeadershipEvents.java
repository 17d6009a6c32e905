package dev.baton.election.internal;

import dev.baton.election.LeadershipEvent;
import dev.baton.election.LeadershipListener;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Delivers events in order on one named thread; a throwing listener is logged and skipped. */
final class LeadershipEvents {
    private static final Logger log = LoggerFactory.getLogger(LeadershipEvents.class);

    private final List<LeadershipListener> listeners;
    private final ExecutorService executor;
    private volatile Thread thread; // the delivery thread, once started

    LeadershipEvents(List<LeadershipListener> listeners, String threadName) {
        this.listeners = listeners;
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            thread = t;
            return t;
        });
    }

    /** Queues an event; never blocks on listeners. Callers hold the elector's state lock so order is kept. */
    void emit(LeadershipEvent event) {
        log.info("{}", event);
        if (listeners.isEmpty()) {
            return;
        }
        try {
            executor.execute(() -> deliver(event));
        } catch (RejectedExecutionException e) {
            log.debug("Event after shutdown dropped: {}", event);
        }
    }

    private void deliver(LeadershipEvent event) {
        for (LeadershipListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (Throwable t) {
                log.warn("Leadership listener {} threw on {}; continuing", listener, event, t);
            }
        }
    }

    boolean isDeliveryThread() {
        return Thread.currentThread() == thread;
    }

    /** Delivers what is queued (bounded), then stops the thread. */
    void shutdown(long waitMillis) {
        executor.shutdown();
        if (isDeliveryThread()) {
            return; // close() called from a listener: the queue drains after it returns
        }
        try {
            if (!executor.awaitTermination(waitMillis, TimeUnit.MILLISECONDS)) {
                log.warn("Leadership listeners still running {} ms after close; leaving them", waitMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
