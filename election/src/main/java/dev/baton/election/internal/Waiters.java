package dev.baton.election.internal;

import dev.baton.election.LockKey;
import dev.baton.election.LockMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for another session to release a key without polling: a waiter connection blocks natively in
 * {@code pg_advisory_lock} (bounded by {@code lock_timeout}) and unlocks in the same statement, so it returns within
 * milliseconds of any release, by a graceful unlock, a crash, or a foreign client. The caller then takes the lock on
 * the main session (it may lose the race to another session and wait again).
 *
 * <p>The blocking statement runs on a pool thread so that the caller can be interrupted: an interrupt cancels the
 * statement, and because a cancel can land just after the grant, the waiter connection then runs
 * {@code pg_advisory_unlock_all()} so it never keeps a stray lock.
 */
final class Waiters {
    private static final Logger log = LoggerFactory.getLogger(Waiters.class);
    private static final long MAX_SLICE_MS = 30_000;
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(25);
    private static final String[] WAIT_SQL = {
        "WITH l AS MATERIALIZED (SELECT pg_advisory_lock(?)) SELECT pg_advisory_unlock(?) FROM l",
        "WITH l AS MATERIALIZED (SELECT pg_advisory_lock_shared(?)) SELECT pg_advisory_unlock_shared(?) FROM l"
    };

    private final ClientConfig config;
    private final ExecutorService executor;
    private final Deque<Connection> idle = new ArrayDeque<>(); // guarded by this
    private int open; // guarded by this
    private boolean closed; // guarded by this

    Waiters(ClientConfig config) {
        this.config = config;
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "baton-lock-waiter-" + config.instanceId() + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    void awaitRelease(LockKey key, LockMode mode, long deadline, boolean selfHoldsOther, boolean interruptible)
            throws InterruptedException {
        Connection w = selfHoldsOther ? null : borrow();
        if (w == null) {
            // Our own session holds the other mode (a waiter would wait for us), or every waiter connection is
            // busy: fall back to a slow poll.
            pause(Math.min(POLL_NANOS, remaining(deadline)), interruptible);
            return;
        }
        long sliceMs = Math.max(1, Math.min(MAX_SLICE_MS, TimeUnit.NANOSECONDS.toMillis(remaining(deadline))));
        WaitTask task = new WaitTask(w, key, mode, sliceMs);
        Future<Boolean> future = executor.submit(task);
        boolean reassert = false;
        try {
            for (; ; ) {
                try {
                    boolean healthy = future.get();
                    giveBack(w, healthy);
                    return;
                } catch (InterruptedException e) {
                    if (!interruptible) {
                        reassert = true;
                        continue;
                    }
                    task.cancel();
                    giveBack(w, finish(future));
                    throw e;
                } catch (ExecutionException e) {
                    giveBack(w, false);
                    return;
                }
            }
        } finally {
            if (reassert) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits for a cancelled task to finish; returns whether its connection is healthy. */
    private static boolean finish(Future<Boolean> future) {
        boolean interrupted = false;
        try {
            for (; ; ) {
                try {
                    return future.get(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException | TimeoutException e) {
                    return false;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Nanoseconds left; {@code Long.MAX_VALUE} stands for no deadline. */
    private static long remaining(long deadline) {
        return deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
    }

    private static void pause(long nanos, boolean interruptible) throws InterruptedException {
        if (nanos <= 0) {
            return;
        }
        if (interruptible) {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } else {
            LockSupport.parkNanos(nanos);
        }
    }

    private Connection borrow() {
        synchronized (this) {
            if (closed) {
                return null;
            }
            Connection c = idle.pollFirst();
            if (c != null || open >= config.maxWaiterConnections()) {
                return c;
            }
            open++;
        }
        try {
            Connection c = config.source().open();
            c.setAutoCommit(true);
            SessionSetup.apply(c, config.applicationName(), true);
            return c;
        } catch (SQLException | RuntimeException e) {
            log.debug("Could not open a waiter connection for client '{}'", config.instanceId(), e);
            synchronized (this) {
                open--;
            }
            return null;
        }
    }

    private void giveBack(Connection c, boolean healthy) {
        synchronized (this) {
            if (healthy && !closed) {
                idle.addFirst(c);
                return;
            }
            open--;
        }
        SessionSetup.discard(config.source(), c, healthy);
    }

    void close() {
        Deque<Connection> toClose;
        synchronized (this) {
            closed = true;
            toClose = new ArrayDeque<>(idle);
            open -= idle.size();
            idle.clear();
        }
        toClose.forEach(c -> SessionSetup.discard(config.source(), c, true));
        executor.shutdownNow();
    }

    /** One bounded native wait on a waiter connection; returns whether the connection is healthy afterwards. */
    private static final class WaitTask implements java.util.concurrent.Callable<Boolean> {
        private final Connection connection;
        private final LockKey key;
        private final LockMode mode;
        private final long sliceMs;
        private volatile Statement running;
        private volatile boolean cancelled;

        WaitTask(Connection connection, LockKey key, LockMode mode, long sliceMs) {
            this.connection = connection;
            this.key = key;
            this.mode = mode;
            this.sliceMs = sliceMs;
        }

        @Override
        public Boolean call() {
            try (Statement set = connection.createStatement();
                    PreparedStatement wait = connection.prepareStatement(WAIT_SQL[mode.ordinal()])) {
                set.execute("SET lock_timeout = " + sliceMs);
                wait.setLong(1, key.value());
                wait.setLong(2, key.value());
                running = wait;
                if (cancelled) {
                    return true;
                }
                wait.executeQuery().close();
                return true;
            } catch (SQLException e) {
                if (SqlStates.LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                    return true; // the slice ended while still waiting: nothing was granted
                }
                // A cancel may have landed after the grant and before the unlock.
                try (Statement st = connection.createStatement()) {
                    st.execute("SELECT pg_advisory_unlock_all()");
                    return SqlStates.QUERY_CANCELED.equals(e.getSQLState());
                } catch (SQLException unlockFailed) {
                    return false;
                }
            } finally {
                running = null;
            }
        }

        void cancel() {
            cancelled = true;
            Statement st = running;
            if (st != null) {
                try {
                    st.cancel();
                } catch (SQLException e) {
                    log.debug("Cancel of a lock wait failed", e);
                }
            }
        }
    }
}
