package dev.baton.election.internal;

import dev.baton.election.BatonException;
import dev.baton.election.LeaderElector;
import dev.baton.election.LeaderInfo;
import dev.baton.election.LeadershipEvent;
import dev.baton.election.LeadershipEvent.Reason;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The elector: lifecycle, leadership state and revocation. The session work runs in {@link ElectorLoop} on the
 * session thread; a watchdog thread steps the leader down when checks stop succeeding.
 *
 * <p>Locking: one private lock, {@link #stateLock}, guards the change of {@link #current} and the queueing of the
 * matching event, so events are queued in the order of the changes. Listeners and the task never run under it.
 */
public final class ElectorImpl implements LeaderElector {
    private static final Logger log = LoggerFactory.getLogger(ElectorImpl.class);

    private enum State {
        LATENT,
        STARTED,
        CLOSED
    }

    final ElectorConfig config;
    final ElectorMetrics metrics;
    private final LeadershipEvents events;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final Object stateLock = new Object();
    private volatile Leadership current; // written under stateLock; null when not leading
    private volatile long lastGoodCheckNanos;
    private volatile boolean closing;
    private volatile ElectorLoop loop; // set by start()
    private volatile Thread sessionThread; // set by start()
    private volatile ScheduledExecutorService watchdog; // set by start()

    public ElectorImpl(ElectorConfig config) {
        this.config = config;
        this.events = new LeadershipEvents(config.listeners, "baton-elector-" + config.group + "-events");
        this.metrics = ElectorMetrics.create(
                config.metricRegistry,
                "baton.leader." + config.group,
                () -> {
                    Leadership l = current;
                    return l == null ? 0 : l.term();
                },
                () -> current == null ? 0 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastGoodCheckNanos));
    }

    @Override
    public void start() {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("Cannot be started more than once (elector '" + config.instanceId
                    + "' of group '" + config.group + "' is " + state.get() + ")");
        }
        log.info(
                "Starting elector '{}' for group '{}' (key {}, table {}): {}",
                config.instanceId,
                config.group,
                config.key,
                config.tableName,
                config.describeTiming());
        ElectorSession first = null;
        try {
            first = ElectorSession.open(config);
        } catch (ElectorRefusal e) {
            close();
            throw e;
        } catch (SQLException e) {
            if (!isTransient(e)) {
                close();
                throw new BatonException(
                        "Elector '" + config.instanceId + "' of group '" + config.group + "' could"
                                + " not prepare its session (" + config.source + ", table " + config.tableName + "): "
                                + e.getMessage() + " (SQLState " + e.getSQLState() + ")",
                        e);
            }
            log.warn(
                    "Elector '{}' cannot reach PostgreSQL yet ({}); retrying in the background",
                    config.instanceId,
                    e.getMessage());
        }
        // Threads start in this order and stop in the reverse one (see close()).
        ScheduledExecutorService dog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "baton-elector-" + config.group + "-watchdog");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(10, Math.min(250, config.checkInterval.toMillis() / 4));
        dog.scheduleWithFixedDelay(this::stepDownIfChecksStale, period, period, TimeUnit.MILLISECONDS);
        watchdog = dog;
        ElectorLoop l = new ElectorLoop(this, first);
        loop = l;
        Thread t = new Thread(l, "baton-elector-" + config.group + "-session");
        t.setDaemon(true);
        sessionThread = t;
        t.start();
    }

    static boolean isTransient(SQLException e) {
        String s = e.getSQLState();
        return s == null || s.startsWith("08") || s.startsWith("57P");
    }

    private void stepDownIfChecksStale() {
        try {
            Leadership l = current;
            if (l != null && System.nanoTime() - lastGoodCheckNanos > config.stepDownAfter.toNanos()) {
                revoke(
                        l,
                        Reason.CHECK_TIMEOUT,
                        new BatonException("No successful check for " + config.stepDownAfter.toMillis()
                                + " ms; stepping down before the server can release the lock (serverReleaseAfter "
                                + config.serverReleaseAfter.toMillis() + " ms)"));
            }
        } catch (Throwable t) {
            log.error("Watchdog of elector '{}' failed; continuing", config.instanceId, t);
        }
    }

    boolean isClosing() {
        return closing;
    }

    void goodCheck(long nanos) {
        lastGoodCheckNanos = nanos;
    }

    /** Records a new term and starts the task. Called by the session thread. */
    Leadership elect(ElectorSession.Term term, long candidateSinceNanos) {
        Leadership l = new Leadership(config, term.term, term.electedAt);
        lastGoodCheckNanos = System.nanoTime();
        synchronized (stateLock) {
            current = l;
            events.emit(event(LeadershipEvent.Type.ELECTED, Reason.NONE, l, null));
            stateLock.notifyAll();
        }
        metrics.elected(System.nanoTime() - candidateSinceNanos);
        if (config.task != null) {
            Thread t = new Thread(new LeaderTaskRunner(this, l), "baton-leader-" + config.group + "-task-" + l.term());
            t.setDaemon(true);
            l.taskThread(t);
            t.start();
        }
        return l;
    }

    /** Ends {@code l} if it is still current: event, metrics, task interrupt. Idempotent; any thread. */
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
            events.emit(event(LeadershipEvent.Type.REVOKED, reason, l, cause));
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

    Leadership current() {
        return current;
    }

    /** Waits until {@code deadline} or until closing; returns false if closing. */
    boolean pauseUntil(long deadlineNanos) throws InterruptedException {
        synchronized (stateLock) {
            long left;
            while (!closing && (left = deadlineNanos - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(stateLock, left);
            }
        }
        return !closing;
    }

    private LeadershipEvent event(LeadershipEvent.Type type, Reason reason, Leadership l, Throwable cause) {
        return new LeadershipEvent(type, reason, config.group, config.instanceId, l.term(), Instant.now(), cause);
    }

    @Override
    public boolean isLeader() {
        return current != null;
    }

    @Override
    public OptionalLong currentTerm() {
        Leadership l = current;
        return l == null ? OptionalLong.empty() : OptionalLong.of(l.term());
    }

    @Override
    public Optional<LeaderInfo> currentLeader() {
        try (Connection c = config.source.open()) {
            return new LeaderTerms(config.tableName).read(c, config.group, config.key);
        } catch (SQLException e) {
            throw new BatonException(
                    "Reading the leader of group '" + config.group + "' from " + config.tableName + " failed (SQLState "
                            + e.getSQLState() + "): " + e.getMessage(),
                    e);
        }
    }

    @Override
    public void yieldLeadership() {
        Leadership l = current;
        if (l != null && revoke(l, Reason.YIELDED, null)) {
            log.info("Elector '{}' yielded term {} of group '{}'", config.instanceId, l.term(), config.group);
        }
    }

    @Override
    public boolean awaitLeadership(Duration timeout) throws InterruptedException {
        long deadline =
                System.nanoTime() + Validate.nonNegative(timeout, "timeout").toNanos();
        synchronized (stateLock) {
            long left;
            while (current == null && (left = deadline - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(stateLock, left);
            }
            return current != null;
        }
    }

    @Override
    public String group() {
        return config.group;
    }

    @Override
    public String instanceId() {
        return config.instanceId;
    }

    @Override
    public void close() {
        State was = state.getAndSet(State.CLOSED);
        if (was == State.CLOSED) {
            return;
        }
        synchronized (stateLock) {
            closing = true;
            stateLock.notifyAll(); // wakes pauses and awaitLeadership
        }
        Leadership l = current;
        // 1. Revoke first: REVOKED(STOPPED) is queued and the task interrupted before anything is released.
        revoke(l, Reason.STOPPED, null);
        // 2. The session thread waits (bounded) for the task, releases the lock and closes the session. A candidate's
        //    native wait is cancelled so it sees the flag at once. Skipped when close() runs on the task thread,
        //    which the session thread is waiting for.
        ElectorLoop lp = loop;
        Thread st = sessionThread;
        if (lp != null) {
            lp.cancelWait();
        }
        boolean onTask = l != null && l.taskThread() == Thread.currentThread();
        if (st != null && !onTask && st != Thread.currentThread()) {
            long bound = config.taskStopTimeout.toMillis()
                    + config.lockWaitTimeout.toMillis()
                    + config.stepDownAfter.toMillis()
                    + 1000;
            try {
                st.join(bound);
                if (st.isAlive()) {
                    log.error(
                            "Session thread of elector '{}' still busy {} ms after close; leaving it",
                            config.instanceId,
                            bound);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // 3. The watchdog after the session thread: until the release it may still have to step a leader down.
        ScheduledExecutorService dog = watchdog;
        if (dog != null) {
            dog.shutdownNow();
        }
        // 4. Events last, so REVOKED(STOPPED) reaches the listeners before close() returns.
        events.shutdown(2000);
        log.info("Elector '{}' of group '{}' closed", config.instanceId, config.group);
    }

    @Override
    public String toString() {
        Leadership l = current;
        return "LeaderElector[group=" + config.group + ", instance=" + config.instanceId + ", state=" + state.get()
                + (l != null ? ", leader term " + l.term() : "") + "]";
    }
}
