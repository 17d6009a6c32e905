package dev.baton.internal;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.baton.BatonException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loss watcher: one connection of its own, blocked in {@code pg_advisory_xact_lock} on the <em>sentinel</em> of the
 * watched session. The watched session holds its sentinel for as long as it lives, so PostgreSQL grants the watcher
 * the sentinel the instant that session ends — backend terminated, crashed, socket closed — and the watcher's
 * statement returns within milliseconds. Nothing runs on the watched session for it: no round trip is added to what
 * that session does.
 *
 * <p>The sentinel key is the two-{@code int} advisory key ({@value #SENTINEL_CLASS}, backend pid of the watched
 * session), shown in {@code pg_locks} as {@code classid} = {@value #SENTINEL_CLASS} ({@code 0x4261746E}, ASCII
 * "Batn"), {@code objid} = the pid, {@code objsubid} = 2. Every Baton lock key is the single-{@code bigint} form
 * ({@code objsubid} = 1), so no user key can collide with it; a backend pid is unique on the server, so neither can two
 * watched sessions. The watcher takes the transaction-level form, which autocommit releases when its statement ends:
 * the watcher never holds a lock, and a new session that gets the same pid can take its sentinel again.
 *
 * <p>What the watcher says is a suspicion to check, never a verdict: it tells its {@link Listener}s on its own thread
 * when the sentinel was granted (the watched session most likely ended, or released its sentinel) and when its own
 * connection failed (a server shutdown ends both; a terminated watcher backend ends only the watcher, which is no loss
 * of the watched session). A listener confirms with one statement on the watched session, which fails at once on a
 * dead one. After a report the watcher stops watching that session until {@link #watch} is called again; it holds a
 * connection only while it has a session to watch (so from a small pool it never keeps the slot a reconnecting session
 * needs), and reopens it with back-off. Its session is refused, like a lock
 * session, on a hot standby or behind a transaction-mode pooler.
 *
 * <p>Thread-safe. One thread, {@code baton-lock-watcher-<owner>}, started by the first {@link #watch}; {@link #close()}
 * stops it.
 */
public final class LossWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LossWatcher.class);
    private static final Executor DIRECT = Runnable::run;

    /** The {@code classid} of every sentinel key ({@code 0x4261746E}, "Batn"). */
    public static final int SENTINEL_CLASS = 0x4261746E;

    /**
     * Takes the sentinel of the session it runs on, or finds it already held (without stacking it: advisory locks are
     * re-entrant). One round trip; the boolean says whether the session holds its sentinel afterwards (false only when
     * another session holds that key).
     */
    public static final String TAKE_SENTINEL_SQL = "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
            + " AND objsubid = 2 AND classid = " + SENTINEL_CLASS + " AND objid::bigint = pg_backend_pid() AND pid ="
            + " pg_backend_pid() AND granted) OR pg_try_advisory_lock(" + SENTINEL_CLASS + ", pg_backend_pid())";

    // set_config first, so the bound applies to this wait; a timeout rolls both back.
    private static final String WAIT_SQL =
            "SELECT set_config('lock_timeout', ?, false), pg_advisory_xact_lock(" + SENTINEL_CLASS + ", ?)";
    private static final long MAX_BACKOFF_MS = 5_000;

    /** A watched session: its backend pid, and a token the watching component chose (higher for newer sessions). */
    public record Watched(long token, int pid) {}

    /** Told what the watcher saw; called on the watcher's thread, one call at a time. Must not block for long. */
    @FunctionalInterface
    public interface Listener {
        /**
         * The watcher saw something that may mean the watched session ended.
         *
         * @param session the session that was watched (the watcher no longer watches it)
         * @param granted true: the sentinel was granted (the session most likely ended); false: the watcher's own
         *     connection failed, which says nothing certain about the watched session
         * @param cause what the watcher saw
         */
        void suspect(Watched session, boolean granted, Throwable cause);
    }

    private final ConnectionSource source;
    private final String applicationName;
    private final String owner;
    private final ServerRelease release;
    private final long sliceMillis;
    private final int networkTimeoutMillis;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();

    @GuardedBy("lock")
    private Watched target; // what to watch next; null: nothing

    @GuardedBy("lock")
    private Watched current; // what the statement in flight waits on

    @GuardedBy("lock")
    private long highestToken = Long.MIN_VALUE;

    @GuardedBy("lock")
    private boolean closed;

    @GuardedBy("lock")
    private Thread thread;

    @GuardedBy("lock")
    private Connection connection; // the watcher's own; only its thread uses it, close() may abort it

    private volatile PreparedStatement waiting;

    /**
     * @param source where the watcher's connection comes from (the watched session's source)
     * @param applicationName the watcher session's {@code application_name}
     * @param owner who watches, for thread names and messages
     * @param release keepalive settings, so the server also drops a silent watcher
     * @param slice how long one wait lasts before it is re-issued ({@code lock_timeout}); the socket read is bounded by
     *     {@code slice + readMargin}, so a watcher whose server went silent finds out and reconnects
     */
    public LossWatcher(
            ConnectionSource source,
            String applicationName,
            String owner,
            ServerRelease release,
            Duration slice,
            Duration readMargin) {
        this.source = source;
        this.applicationName = applicationName;
        this.owner = owner;
        this.release = release;
        this.sliceMillis = slice.toMillis();
        this.networkTimeoutMillis =
                (int) Math.min(Integer.MAX_VALUE, slice.plus(readMargin).toMillis());
    }

    /** Adds a listener (for instance another component that shares the watched session). */
    public void subscribe(Listener listener) {
        listeners.add(listener);
    }

    /**
     * Watches {@code session}, which must hold its sentinel ({@link #TAKE_SENTINEL_SQL} answered true), instead of
     * the one watched so far; a call with a lower token than one seen before is ignored (it lost a race with a newer
     * session). May send a cancel for the wait in flight (one short connection): call it outside locks that the hot
     * path takes.
     */
    public void watch(Watched session) {
        PreparedStatement cancel = null;
        synchronized (lock) {
            if (closed || session.token() < highestToken) {
                return;
            }
            highestToken = session.token();
            target = session;
            if (current != null && !current.equals(session)) {
                cancel = waiting;
            }
            if (thread == null) {
                thread = Threads.daemon(this::run, "baton-lock-watcher-" + owner);
                thread.start();
            }
            lock.notifyAll();
        }
        if (cancel != null) {
            try {
                cancel.cancel(); // best effort: the old session is gone or going, its grant comes soon anyway
            } catch (SQLException | RuntimeException e) {
                log.debug("Cancel of the loss watcher's wait failed", e);
            }
        }
    }

    /** Stops watching and closes the watcher's connection; waits (at most 5 s) for its thread to end. Idempotent. */
    @Override
    public void close() {
        Thread t;
        Connection c;
        synchronized (lock) {
            closed = true;
            t = thread;
            c = connection;
            lock.notifyAll();
        }
        if (c != null) {
            try {
                c.unwrap(Connection.class).abort(DIRECT); // ends the blocked read at once; the thread discards it
            } catch (SQLException | RuntimeException e) {
                log.debug("Abort of the loss watcher's connection failed", e);
            }
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        long backoffMs = 0;
        try {
            for (; ; ) {
                Watched w;
                synchronized (lock) {
                    while (!closed && target == null) {
                        lock.wait();
                    }
                    if (closed) {
                        return;
                    }
                    w = target;
                }
                if (backoffMs > 0) {
                    pause(backoffMs);
                }
                Connection c;
                try {
                    c = connection();
                } catch (SQLException | RuntimeException e) {
                    // Our own connection could not be had: the watched session is not affected. Try again later.
                    backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(100, backoffMs * 2));
                    log.warn(
                            "Loss watcher of '{}' could not open its session ({}); loss is noticed by the heartbeat"
                                    + " until it can (next try in {} ms)",
                            owner,
                            e.getMessage(),
                            backoffMs);
                    continue;
                }
                try {
                    if (!await(c, w)) {
                        backoffMs = 0;
                        continue; // the slice ended, or the wait was cancelled for a newer session
                    }
                    backoffMs = 0;
                    forget(w);
                    if (!watching()) {
                        // Nothing to watch until the session reconnects: give the connection back, so that from a
                        // small pool it cannot take the slot the reconnecting session needs.
                        dropConnection(true);
                    }
                    tell(
                            w,
                            true,
                            new BatonException("The loss watcher of '" + owner + "' was granted the sentinel of"
                                    + " backend pid " + w.pid() + ": that session ended or released its sentinel"));
                } catch (SQLException | RuntimeException e) {
                    if (isClosed()) {
                        return;
                    }
                    dropConnection(false);
                    forget(w);
                    backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(100, backoffMs * 2));
                    tell(w, false, e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            dropConnection(false); // never handed back: its state is whatever the abort left
        }
    }

    /** Waits one slice for the sentinel; true if granted, false if the slice ended or a cancel came. */
    private boolean await(Connection c, Watched w) throws SQLException {
        synchronized (lock) {
            if (closed || !w.equals(target)) {
                return false;
            }
            current = w;
        }
        try (PreparedStatement ps = c.prepareStatement(WAIT_SQL)) {
            ps.setString(1, sliceMillis + "ms");
            ps.setInt(2, w.pid());
            waiting = ps;
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return true;
            } catch (SQLException e) {
                String state = e.getSQLState();
                if (SqlStates.LOCK_NOT_AVAILABLE.equals(state) || SqlStates.QUERY_CANCELED.equals(state)) {
                    return false;
                }
                throw e;
            }
        } finally {
            waiting = null;
            synchronized (lock) {
                current = null;
            }
        }
    }

    private Connection connection() throws SQLException {
        synchronized (lock) {
            if (connection != null) {
                return connection;
            }
        }
        Connection c = source.open();
        try {
            c.setAutoCommit(true);
            Sessions.Applied applied = Sessions.apply(c, applicationName, true);
            if (applied.inRecovery()) {
                throw new BatonException("The loss watcher of '" + owner + "' is connected to a hot standby"
                        + " (pg_is_in_recovery() = true, " + source + "): connect to the primary (for example with"
                        + " targetServerType=primary in the JDBC URL)");
            }
            Optional<String> pooler =
                    PoolerProbe.evidence(source, c, applied.pid(), "baton-lock-watcher-probe-" + owner, 1000);
            if (pooler.isPresent()) {
                throw new BatonException("The loss watcher of '" + owner + "' is behind a transaction- or"
                        + " statement-mode connection pooler (" + pooler.get() + ")" + PoolerProbe.why(source));
            }
            release.apply(c);
            c.setNetworkTimeout(DIRECT, networkTimeoutMillis);
        } catch (SQLException | RuntimeException e) {
            Sessions.discard(source, c, false);
            throw e;
        }
        synchronized (lock) {
            if (!closed) {
                connection = c;
                return c;
            }
        }
        Sessions.discard(source, c, true);
        throw new IllegalStateException("loss watcher of '" + owner + "' is closed");
    }

    private void dropConnection(boolean healthy) {
        Connection c;
        synchronized (lock) {
            c = connection;
            connection = null;
        }
        Sessions.discard(source, c, healthy);
    }

    private void forget(Watched w) {
        synchronized (lock) {
            if (w.equals(target)) {
                target = null;
            }
        }
    }

    private boolean watching() {
        synchronized (lock) {
            return target != null;
        }
    }

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    private void tell(Watched w, boolean granted, Throwable cause) {
        if (isClosed()) {
            return;
        }
        for (Listener l : listeners) {
            try {
                l.suspect(w, granted, cause);
            } catch (RuntimeException e) {
                log.error("Loss watcher listener of '{}' failed", owner, e);
            }
        }
    }

    private void pause(long millis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (lock) {
            for (long left = millis;
                    left > 0 && !closed;
                    left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())) {
                lock.wait(left);
            }
        }
    }
}
