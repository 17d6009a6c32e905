package dev.baton.election.internal;

import dev.baton.BatonException;
import dev.baton.election.LeaderElector;
import dev.baton.election.LeaderInfo;
import dev.baton.election.LeadershipEvent.Reason;
import dev.baton.internal.SqlStates;
import dev.baton.internal.Threads;
import dev.baton.internal.Validate;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The elector's lifecycle and API; thread-safe, blocking as {@link LeaderElector} documents. Leadership itself is kept
 * by {@link LeadershipState} (the only lock); the session work runs in {@link ElectorLoop} on the session thread; a
 * watchdog thread steps the leader down when checks stop succeeding.
 *
 * <p>Shared state: {@link #state} moves atomically, so start() and close() each act once. {@link #loop},
 * {@link #sessionThread} and {@link #watchdog} are volatile and set by start() after its first connection; a close()
 * that runs before that finds them null and skips them, and start() then stops the watchdog itself while the session
 * thread ends on the closing flag.
 */
public final class ElectorImpl implements LeaderElector {
    private static final Logger log = LoggerFactory.getLogger(ElectorImpl.class);

    private enum State {
        LATENT,
        STARTED,
        CLOSED
    }

    private final ElectorConfig config;
    private final LeadershipState leadership;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private volatile ElectorLoop loop; // set by start()
    private volatile Thread sessionThread; // set by start()
    private volatile ScheduledExecutorService watchdog; // set by start()

    public ElectorImpl(ElectorConfig config) {
        this.config = config;
        this.leadership = new LeadershipState(config);
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
        } catch (RuntimeException e) { // a refusal (standby, pooler, terms table) or a bug: nothing left running
            close();
            throw e;
        } catch (SQLException e) {
            if (!SqlStates.connectionLost(e)) { // a reconnect will not cure it
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
        ScheduledExecutorService dog = Executors.newSingleThreadScheduledExecutor(
                Threads.named("baton-elector-" + config.group + "-watchdog"));
        long period = Math.max(10, Math.min(250, config.checkInterval.toMillis() / 4));
        // The task catches everything itself (an escaped exception would cancel it); close() shuts the executor down.
        var unused =
                dog.scheduleWithFixedDelay(leadership::stepDownIfChecksStale, period, period, TimeUnit.MILLISECONDS);
        watchdog = dog;
        ElectorLoop l = new ElectorLoop(leadership, first);
        loop = l;
        Thread t = Threads.daemon(l, "baton-elector-" + config.group + "-session");
        sessionThread = t;
        t.start();
        if (state.get() == State.CLOSED) {
            // close() ran while the first session was opening and saw no threads yet: the session thread sees the
            // closing flag and ends by itself; the watchdog must be stopped here.
            dog.shutdownNow();
        }
    }

    @Override
    public boolean isLeader() {
        return leadership.current() != null;
    }

    @Override
    public OptionalLong currentTerm() {
        Leadership l = leadership.current();
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
        Leadership l = leadership.current();
        if (l != null && leadership.revoke(l, Reason.YIELDED, null)) {
            l.handOverIfReady(); // without a running task: released now, not after the session thread's read slice
            log.info("Elector '{}' yielded term {} of group '{}'", config.instanceId, l.term(), config.group);
        }
    }

    @Override
    public boolean awaitLeadership(Duration timeout) throws InterruptedException {
        return leadership.awaitLeadership(
                Validate.nonNegative(timeout, "timeout").toNanos());
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
        leadership.markClosing(); // wakes pauses and awaitLeadership
        Leadership l = leadership.current();
        // 1. Revoke first: REVOKED(STOPPED) is queued and the task interrupted before anything is released.
        if (leadership.revoke(l, Reason.STOPPED, null)) {
            l.handOverIfReady(); // without a running task: the successor gets the lock now (see TermRelease)
        }
        // 2. The session thread waits (bounded) for the task, releases the lock and closes the session. A candidate's
        //    native wait is cancelled so it sees the flag at once. Skipped when close() runs on the task thread,
        //    which the session thread is waiting for.
        ElectorLoop lp = loop;
        Thread st = sessionThread;
        if (lp != null) {
            lp.cancelWait();
        }
        // On a task thread (also one whose term was already revoked), the session thread is waiting for us.
        boolean onTask = leadership.isLatestTaskThread(Thread.currentThread());
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
        leadership.shutdownEvents(Duration.ofSeconds(2));
        // 5. Gauges read this elector's state: they leave the registry with it.
        leadership.metrics.close();
        log.info("Elector '{}' of group '{}' closed", config.instanceId, config.group);
    }

    @Override
    public String toString() {
        Leadership l = leadership.current();
        return "LeaderElector[group=" + config.group + ", instance=" + config.instanceId + ", state=" + state.get()
                + (l != null ? ", leader term " + l.term() : "") + "]";
    }
}
