package dev.baton.election.internal;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.baton.BatonException;
import dev.baton.election.LeadershipEvent;
import dev.baton.election.LeadershipEvent.Reason;
import dev.baton.election.LeadershipListener;
import dev.baton.internal.OrderedDelivery;
import dev.baton.internal.Threads;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether, and in which term, one elector leads: election, revocation, waiting. Thread-safe; only the waits
 * ({@link #pauseUntil}, {@link #awaitLeadership}) block.
 *
 * <p>Shared state. One private lock, {@link #stateLock}, is taken for each change of {@link #current} (and of
 * {@link #closing}) together with the queueing of its event, so events are queued in the order of the changes and a
 * revocation happens once. Both fields are volatile and read without the lock, so {@code isLeader()} never blocks;
 * that is why they carry no {@code @GuardedBy} (the check would also demand the lock for those reads). The waits
 * sleep on the lock's monitor and are woken by every change. Listeners and the task never run under the lock.
 */
final class LeadershipState {
    private static final Logger log = LoggerFactory.getLogger(LeadershipState.class);

    final ElectorConfig config;
    final ElectorMetrics metrics;
    private final OrderedDelivery<LeadershipListener> events;
    private final Object stateLock = new Object();
    private volatile Leadership current; // written under stateLock; null when not leading
    private volatile boolean closing; // written under stateLock; never reset
    private volatile Thread lastTaskThread; // the task thread of the latest term, written by the session thread
    private volatile long lastGoodCheckNanos; // written by the session thread, read by the watchdog and gauges

    LeadershipState(ElectorConfig config) {
        this.config = config;
        this.events = new OrderedDelivery<>(config.listeners, "baton-elector-" + config.group + "-events");
        this.metrics = config.metrics.create(config.group, new ElectorMetrics.Readings() {
            @Override
            public long term() {
                Leadership l = current;
                return l == null ? 0 : l.term();
            }

            @Override
            public long millisSinceGoodCheck() {
                return current == null ? 0 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastGoodCheckNanos);
            }
        });
    }

    /** The term held now, or null. Never blocks; may be stale an instant later. */
    Leadership current() {
        return current;
    }

    /** Whether {@code thread} runs (or ran) the task of this elector's latest term, revoked or not. */
    boolean isLatestTaskThread(Thread thread) {
        return lastTaskThread == thread;
    }

    /** Whether close() has begun; once true it stays true. Never blocks. */
    boolean isClosing() {
        return closing;
    }

    /** From now on nothing new starts; wakes every pause and every awaitLeadership. */
    void markClosing() {
        synchronized (stateLock) {
            closing = true;
            stateLock.notifyAll();
        }
    }

    /** A check proved the lock held at {@code nanos}; the watchdog measures staleness from the latest one. */
    void goodCheck(long nanos) {
        lastGoodCheckNanos = nanos;
    }

    /** Records a new term held by {@code session}, queues ELECTED and starts the task. Called by the session thread. */
    Leadership elect(ElectorSession session, long term, long candidateSinceNanos) {
        Leadership l = new Leadership(config, term);
        l.release(new TermRelease(l, session)); // before the term is published: a yield at once can hand over
        lastGoodCheckNanos = System.nanoTime();
        // The task thread is known before the term is published, so a revoke that comes at once (a yield or close()
        // from a thread woken by ELECTED) interrupts it; the runner also checks leadership before it starts the task.
        Thread t = null;
        if (config.task != null) {
            t = Threads.daemon(new LeaderTaskRunner(this, l), "baton-leader-" + config.group + "-task-" + l.term());
            l.taskThread(t);
            lastTaskThread = t;
        }
        synchronized (stateLock) {
            current = l;
            emit(event(LeadershipEvent.Type.ELECTED, Reason.NONE, l, null));
            stateLock.notifyAll();
        }
        metrics.elected(System.nanoTime() - candidateSinceNanos);
        if (t != null) {
            t.start();
        }
        return l;
    }

    /**
     * Ends {@code l} if it is still current: {@code isLeader()} turns false, REVOKED is queued, then the task is
     * interrupted. Idempotent; any thread.
     */
    boolean revoke(Leadership l, Reason reason, Throwable cause) {
        if (l == null) {
            return false;
        }
        synchronized (stateLock) {
            if (current != l) {
                return false;
            }
            l.markRevoked(reason);
            current = null;
            emit(event(LeadershipEvent.Type.REVOKED, reason, l, cause));
        }
        metrics.revoked(reason);
        if (cause != null && reason != Reason.TASK_FAILED) {
            log.warn(
                    "Elector '{}' of group '{}' lost term {}: {}",
                    config.instanceId,
                    config.group,
                    l.term(),
                    reason,
                    cause);
        }
        Thread t = l.taskThread();
        if (t != null && t != Thread.currentThread()) {
            t.interrupt();
        }
        return true;
    }

    /** Watchdog: revokes the current term when no check has succeeded for {@code stepDownAfter}. */
    void stepDownIfChecksStale() {
        try {
            Leadership l = current;
            if (l != null && System.nanoTime() - lastGoodCheckNanos > config.stepDownAfter.toNanos()) {
                revoke(
                        l,
                        Reason.CHECK_TIMEOUT,
                        new BatonException("No successful check for "
                                + config.stepDownAfter.toMillis()
                                + " ms; stepping down before the server can release the"
                                + " lock (serverReleaseAfter " + config.serverReleaseAfter.toMillis() + " ms)"));
            }
        } catch (Throwable t) {
            log.error("Watchdog of elector '{}' failed; continuing", config.instanceId, t);
        }
    }

    /** Waits until {@code deadlineNanos} or until closing; returns false if closing. */
    boolean pauseUntil(long deadlineNanos) throws InterruptedException {
        synchronized (stateLock) {
            long left;
            while (!closing && (left = deadlineNanos - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(stateLock, left);
            }
        }
        return !closing;
    }

    /** Waits until leading, closing or the deadline; returns whether leading. */
    boolean awaitLeadership(long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        synchronized (stateLock) {
            long left;
            while (current == null && !closing && (left = deadline - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(stateLock, left);
            }
            return current != null;
        }
    }

    /** Delivers what is queued (bounded), then stops the event thread; from a listener it does not wait. */
    void shutdownEvents(Duration wait) {
        events.shutdown(wait);
    }

    // Under stateLock, so events are queued in the order of the changes they report.
    @GuardedBy("stateLock")
    private void emit(LeadershipEvent event) {
        log.info("{}", event);
        events.deliver(event, listener -> listener.onEvent(event));
    }

    private LeadershipEvent event(LeadershipEvent.Type type, Reason reason, Leadership l, Throwable cause) {
        return new LeadershipEvent(type, reason, config.group, config.instanceId, l.term(), Instant.now(), cause);
    }
}
