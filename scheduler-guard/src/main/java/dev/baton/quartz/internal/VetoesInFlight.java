package dev.baton.quartz.internal;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The worker threads inside the guard's veto hook right now, so that {@code close()} can let them finish (claim or
 * veto, and record what they claimed) before it gives leases back and closes the ledger. Thread-safe.
 */
final class VetoesInFlight {
    private final Object lock = new Object();

    @GuardedBy("lock")
    private final Map<Thread, Integer> threads = new HashMap<>(); // a listener may nest a veto: counted per thread

    void enter() {
        synchronized (lock) {
            threads.merge(Thread.currentThread(), 1, Integer::sum);
        }
    }

    void exit() {
        synchronized (lock) {
            threads.computeIfPresent(Thread.currentThread(), (t, n) -> n == 1 ? null : n - 1);
            lock.notifyAll();
        }
    }

    /**
     * Waits until no thread but the caller is inside the hook, at most {@code bound}; false if some still were. The
     * caller is left out: close() may run inside a veto (the scheduler's last firing ended there).
     */
    boolean awaitOthers(Duration bound) {
        long end = System.nanoTime() + bound.toNanos();
        boolean interrupted = false;
        try {
            synchronized (lock) {
                for (long left = bound.toNanos(); othersInside(); left = end - System.nanoTime()) {
                    if (left <= 0) {
                        return false;
                    }
                    try {
                        lock.wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        interrupted = true; // close() still has to finish
                    }
                }
                return true;
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @GuardedBy("lock")
    private boolean othersInside() {
        int mine = threads.getOrDefault(Thread.currentThread(), 0);
        return threads.size() > (mine > 0 ? 1 : 0);
    }
}
