package dev.baton.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers events to listeners in the order they were queued, on one named daemon thread of its own, so the thread
 * that produced an event (often in the middle of a PostgreSQL call, or holding a lock a listener may want) never runs
 * listener code. A listener that throws is logged and skipped; the others still get the event. The thread exists
 * only while there is work (it ends after 30 s idle). Thread-safe.
 *
 * @param <L> the listener type
 */
public final class OrderedDelivery<L> {
    private static final Logger log = LoggerFactory.getLogger(OrderedDelivery.class);

    private final List<L> listeners;
    private final String threadName;
    private final ThreadPoolExecutor executor; // null when there are no listeners
    private volatile Thread thread; // the delivery thread, once started

    public OrderedDelivery(List<L> listeners, String threadName) {
        this(listeners, threadName, TimeUnit.SECONDS.toNanos(30), new LinkedBlockingQueue<>());
    }

    /** For tests: the idle time after which the thread ends, and the queue. */
    OrderedDelivery(List<L> listeners, String threadName, long keepAliveNanos, BlockingQueue<Runnable> queue) {
        this.listeners = List.copyOf(listeners);
        this.threadName = threadName;
        if (this.listeners.isEmpty()) {
            this.executor = null;
        } else {
            // No core thread: every event goes through the queue, so events stay in order even when the idle thread
            // ends just as a new event comes (with a core thread that times out, a new worker can start with the
            // newest event as its first task, ahead of one still queued).
            this.executor = new ThreadPoolExecutor(0, 1, keepAliveNanos, TimeUnit.NANOSECONDS, queue, r -> {
                Thread t = Threads.daemon(r, threadName);
                thread = t;
                return t;
            });
        }
    }

    /** Whether any listener would receive events. */
    public boolean hasListeners() {
        return executor != null;
    }

    /**
     * Queues {@code event} for every listener, called as {@code call.accept(listener)}. Never blocks on listeners;
     * after {@link #shutdown} the event is dropped (logged at debug).
     *
     * @param event what is delivered, for log messages only
     */
    public void deliver(Object event, Consumer<? super L> call) {
        if (executor == null) {
            return;
        }
        try {
            executor.execute(() -> {
                for (L listener : listeners) {
                    try {
                        call.accept(listener);
                    } catch (Throwable t) { // also a sneaky-thrown checked exception: the others still get the event
                        log.warn("Listener {} threw on {}; the other listeners still get it", listener, event, t);
                    }
                }
            });
        } catch (RejectedExecutionException closed) {
            log.debug("{} is shut down; dropped {}", threadName, event);
        }
    }

    /** Whether the calling thread is the delivery thread (a listener calling back into its component). */
    public boolean isDeliveryThread() {
        return Thread.currentThread() == thread;
    }

    /**
     * Delivers what is queued, waiting at most {@code wait}, then stops the thread. Called from a listener it does not
     * wait (the queue drains after that listener returns).
     */
    public void shutdown(Duration wait) {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        if (isDeliveryThread()) {
            return;
        }
        try {
            if (!executor.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("Listeners on {} still running {} ms after close; leaving them", threadName, wait.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
