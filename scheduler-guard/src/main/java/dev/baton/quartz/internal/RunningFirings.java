package dev.baton.quartz.internal;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The firings a guard let through and has not yet ended, by worker thread (a worker runs one firing at a time). It
 * only finds them: for {@code close()}, for the close after a scheduler shutdown (once it is empty), and for a firing
 * whose release callbacks Quartz skipped (the same worker's next firing finds it). Exclusion between firings is the
 * lease's job, not this table's. Thread-safe.
 */
final class RunningFirings {
    private final Map<Thread, Firing> byWorker = new ConcurrentHashMap<>();

    /** Records {@code firing} as its worker's running firing. */
    void add(Firing firing) {
        byWorker.put(firing.worker, firing);
    }

    /** Forgets {@code firing}, if it is still recorded. */
    void remove(Firing firing) {
        byWorker.remove(firing.worker, firing);
    }

    /** The calling worker's firing that is still recorded, now forgotten; null if none. */
    Firing takeLeftOverOfThisWorker() {
        return byWorker.remove(Thread.currentThread());
    }

    Collection<Firing> all() {
        return byWorker.values();
    }

    boolean isEmpty() {
        return byWorker.isEmpty();
    }
}
