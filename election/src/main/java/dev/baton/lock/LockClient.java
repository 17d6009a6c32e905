package dev.baton.lock;

import dev.baton.internal.ConnectionSource;
import dev.baton.lock.internal.ClientConfig;
import dev.baton.lock.internal.InMemoryLockClient;
import dev.baton.lock.internal.KeySets;
import dev.baton.lock.internal.PgLockClient;
import dev.baton.lock.internal.dropwizard.DropwizardLockMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * Advisory locks on PostgreSQL, many locks multiplexed over one dedicated session.
 *
 * <p>Algorithm:
 *
 * <ol>
 *   <li>The client opens one main session and keeps it; locks taken without waiting are session-level advisory
 *       locks on it.
 *   <li>Holds are counted per holder in the JVM: a thread ({@link DistributedLock}) or a {@link LockLease}. Only the
 *       first hold of a key (per mode) by the client asks
 *       PostgreSQL ({@code pg_try_advisory_lock}, one round trip); only the last release unlocks it (one round trip,
 *       whose boolean is checked: {@code false} is reported as a loss).
 *   <li>When another session holds the key, one thread per key blocks natively in {@code pg_advisory_lock} on a
 *       waiter session (bounded by {@code lock_timeout}), so it is granted the lock within milliseconds of any release
 *       (graceful, crash, or a foreign client), in PostgreSQL's FIFO order; the hold stays on that session until the
 *       key's last local hold is released. Threads of this JVM wait for each other on in-memory conditions.
 *   <li>A loss watcher (one more connection) waits on a sentinel lock the main session holds, so PostgreSQL wakes it
 *       the instant that session ends; a failure marks every hold of that session lost at once, tells the listeners,
 *       and the next operation opens a new session. While keys are held, a heartbeat also checks the sessions, and a
 *       session that has not answered for {@code lossTimeout} has its holds declared in doubt, before the server can
 *       release them ({@code serverReleaseAfter}).
 *   <li>{@link #close()} releases everything ({@code pg_advisory_unlock_all()}) and closes every session.
 * </ol>
 *
 * <p>Thread-safe. Obtain one client per JVM (per database) and share it.
 */
public interface LockClient extends AutoCloseable {

    /** A client with default settings whose session comes from {@code dataSource}. */
    static LockClient create(DataSource dataSource) {
        return builder(dataSource).build();
    }

    /**
     * A builder whose sessions come from {@code dataSource}. If it is a pool, the client treats its connection as
     * borrowed: it runs {@code pg_advisory_unlock_all()} before giving it back and evicts or aborts it when its state
     * is in doubt. Prefer {@link #builder(String, Properties)} where you can, so the lock session takes no pool slot.
     */
    static Builder builder(DataSource dataSource) {
        return new Builder(ConnectionSource.of(dataSource));
    }

    /** A builder that opens physical connections of its own with {@link java.sql.DriverManager}. */
    static Builder builder(String jdbcUrl, Properties properties) {
        return new Builder(ConnectionSource.of(jdbcUrl, properties));
    }

    /**
     * A client that keeps its locks in this JVM only, with the same API and semantics (re-entrancy, shared and
     * exclusive, timeouts, interruption). For users' unit tests; it coordinates nothing across processes.
     */
    static LockClient inMemory() {
        return new InMemoryLockClient("in-memory");
    }

    /** The exclusive lock on {@code LockKey.named(name)}. */
    default DistributedLock lock(String name) {
        return lock(LockKey.named(name));
    }

    /** The exclusive lock on {@code key}. */
    DistributedLock lock(LockKey key);

    /** The shared lock on {@code LockKey.named(name)}. */
    default DistributedLock sharedLock(String name) {
        return sharedLock(LockKey.named(name));
    }

    /** The shared lock on {@code key}. */
    DistributedLock sharedLock(LockKey key);

    /**
     * An exclusive {@link LockLease} on {@code LockKey.named(name)} if the lock is free now: one round trip (it first
     * waits for a call on the same key already in flight). Empty if any other holder has the key, this client's
     * threads and leases included (a lease is not re-entrant).
     *
     * @throws TooManyLocksException if the client already holds its maximum number of distinct keys
     * @throws dev.baton.BatonException if PostgreSQL cannot be reached
     * @throws IllegalStateException if the client is closed
     */
    default Optional<LockLease> tryAcquire(String name) {
        return tryAcquire(LockKey.named(name));
    }

    /** As {@link #tryAcquire(String)}, on {@code key}. */
    Optional<LockLease> tryAcquire(LockKey key);

    /**
     * An exclusive {@link LockLease} on {@code LockKey.named(name)}, waiting at most {@code timeout} for it.
     *
     * @throws IllegalArgumentException if the timeout is null or negative
     * @throws InterruptedException if interrupted while waiting; nothing is then held
     */
    default Optional<LockLease> tryAcquire(String name, Duration timeout) throws InterruptedException {
        return tryAcquire(LockKey.named(name), timeout);
    }

    /** As {@link #tryAcquire(String, Duration)}, on {@code key}. */
    Optional<LockLease> tryAcquire(LockKey key, Duration timeout) throws InterruptedException;

    /**
     * A shared {@link LockLease} on {@code LockKey.named(name)} if no exclusive holder has it now and no other session
     * waits for it exclusively (as PostgreSQL's {@code pg_try_advisory_lock_shared} answers): one round trip, also when
     * this client already holds the key shared (a look at the server's queue). Throws as {@link #tryAcquire(String)}.
     */
    default Optional<LockLease> tryAcquireShared(String name) {
        return tryAcquireShared(LockKey.named(name));
    }

    /** As {@link #tryAcquireShared(String)}, on {@code key}. */
    Optional<LockLease> tryAcquireShared(LockKey key);

    /** A shared {@link LockLease} on {@code LockKey.named(name)}, waiting at most {@code timeout}. */
    default Optional<LockLease> tryAcquireShared(String name, Duration timeout) throws InterruptedException {
        return tryAcquireShared(LockKey.named(name), timeout);
    }

    /** As {@link #tryAcquireShared(String, Duration)}, on {@code key}. */
    Optional<LockLease> tryAcquireShared(LockKey key, Duration timeout) throws InterruptedException;

    /**
     * Exclusive holds of every key named in {@code names}, all or none: see {@link #lockAll(Duration, LockKey...)}.
     *
     * @throws IllegalArgumentException if no name is given, a name is invalid, or two names are the same key
     */
    default Optional<LockSet> lockAll(Duration timeout, String... names) throws InterruptedException {
        if (names == null) {
            throw new IllegalArgumentException("lockAll needs at least one name");
        }
        LockKey[] keys = new LockKey[names.length];
        for (int i = 0; i < names.length; i++) {
            keys[i] = LockKey.named(names[i]);
        }
        return lockAll(timeout, keys);
    }

    /**
     * Exclusive holds of every one of {@code keys}, all or none, as one thread-free {@link LockSet}. The keys are taken
     * in ascending {@link LockKey#value()} order whatever the order given, so callers asking for overlapping sets (in
     * any thread or JVM using Baton) cannot deadlock, as long as they hold no other lock while they ask: a thread that
     * already holds one of the keys (a {@link DistributedLock}, a lease) waits for itself, and one that holds another
     * key can still deadlock with a set that contains it. {@code timeout} covers the whole set; if a key cannot be had
     * in time, or the wait is interrupted or fails, the keys already taken are given back, newest first.
     *
     * @return the set, or empty if a key was held past {@code timeout} by another holder (another instance, or another
     *     thread or lease of this client)
     * @throws IllegalArgumentException if no key is given, a key is null or given twice, or the timeout is null or
     *     negative
     * @throws InterruptedException if interrupted while waiting; nothing is then held
     * @throws TooManyLocksException if the set would take the client past its maximum of distinct keys
     */
    default Optional<LockSet> lockAll(Duration timeout, LockKey... keys) throws InterruptedException {
        return KeySets.lockAll(this, timeout, keys);
    }

    /** Whether any session (this client's included) holds {@code LockKey.named(name)}, in any mode. One round trip. */
    default boolean isLocked(String name) {
        return isLocked(LockKey.named(name));
    }

    /** Whether any session (this client's included) holds {@code key}, in any mode. One round trip. */
    default boolean isLocked(LockKey key) {
        return !holders(key).isEmpty();
    }

    /** A holder of {@code LockKey.named(name)}, the exclusive one if any. One round trip. */
    default Optional<LockHolder> holder(String name) {
        return holder(LockKey.named(name));
    }

    /** A holder of {@code key}, the exclusive one if any. One round trip. */
    default Optional<LockHolder> holder(LockKey key) {
        return holders(key).stream().min((a, b) -> a.mode().compareTo(b.mode()));
    }

    /** Every session holding {@code key}, from {@code pg_locks} joined with {@code pg_stat_activity}. */
    List<LockHolder> holders(LockKey key);

    /** This client's instance id (also its sessions' {@code application_name}). */
    String instanceId();

    /**
     * Every key this client holds now, per mode, from its own bookkeeping: no round trip, never blocks for long (it
     * takes each key's lock briefly). A snapshot for health checks and operators; ordered by key value.
     *
     * @throws IllegalStateException if the client is closed
     */
    List<HeldLock> heldLocks();

    /**
     * The backend pid of the client's main session, if one is open now; empty before first use, after a loss until
     * the next operation reconnects, for the in-memory client, and after close. Never blocks.
     */
    java.util.OptionalInt sessionPid();

    /**
     * Releases every lock, closes the loss watcher, the waiter connections and the session (in that order, so the
     * watcher does not take the session's release for a loss), and makes further use throw
     * {@link IllegalStateException}. Threads still holding locks see {@link DistributedLock#isValid()} turn false.
     * Idempotent.
     */
    @Override
    void close();

    /** Settings for a {@link LockClient}. Not thread-safe; {@link #build()} validates and freezes them. */
    final class Builder {
        private final ClientConfig.Builder config;

        Builder(ConnectionSource source) {
            this.config = ClientConfig.builder(source);
        }

        /** The instance id; default {@code host:pid:random}. Also the session's {@code application_name}. */
        public Builder instanceId(String instanceId) {
            config.instanceId(instanceId);
            return this;
        }

        /** The {@code application_name} of the sessions, when it should differ from the instance id. */
        public Builder applicationName(String applicationName) {
            config.applicationName(applicationName);
            return this;
        }

        /** Dropwizard registry for the client's metrics (optional). */
        public Builder metrics(com.codahale.metrics.MetricRegistry registry) {
            Objects.requireNonNull(registry, "metrics registry must not be null; omit the call instead");
            config.metrics(DropwizardLockMetrics.factory(registry));
            return this;
        }

        /**
         * The factory of the client's metrics (optional), for any metrics library: {@code baton-micrometer}'s
         * {@code BatonMicrometer} is one. Replaces an earlier {@link #metrics(com.codahale.metrics.MetricRegistry)}.
         */
        public Builder metricsFactory(dev.baton.metrics.LockClientMetrics.Factory factory) {
            Objects.requireNonNull(factory, "metrics factory must not be null; omit the call instead");
            config.metrics(dev.baton.lock.internal.SpiLockMetrics.factory(factory));
            return this;
        }

        /** Adds a listener told about lost holds. */
        public Builder addListener(LockClientListener listener) {
            config.addListener(listener);
            return this;
        }

        /** Most distinct keys this client may hold at once (default 1 000); an acquire past it throws. */
        public Builder maxKeys(int maxKeys) {
            config.maxKeys(maxKeys);
            return this;
        }

        /**
         * How often the sessions are checked while any key is held (default 1 s). A session that ends is noticed at once
         * by the loss watcher, without waiting for it; the heartbeat finds a server that went silent or turned standby.
         * Must be shorter than {@code lossTimeout}.
         */
        public Builder heartbeatInterval(java.time.Duration interval) {
            config.heartbeatInterval(interval);
            return this;
        }

        /**
         * How long a session that holds locks may go without an answer from PostgreSQL before its holds are declared
         * in doubt (default 5 s, at least 100 ms): they turn invalid, listeners are told
         * ({@link LockClientListener.Reason#IN_DOUBT}), the {@code locks-in-doubt} metric counts them, and the session
         * is given up. Also the longest a statement on a lock session waits for an answer (its network timeout): then
         * the caller gets a {@link dev.baton.BatonException}. Must be shorter than {@code serverReleaseAfter} (by more
         * than the 50 ms watchdog tick), so a holder cut off from the server is told before the server can grant its
         * locks to another session.
         */
        public Builder lossTimeout(java.time.Duration timeout) {
            config.lossTimeout(timeout);
            return this;
        }

        /**
         * After how long the server drops a lock session that went silent, and so releases its locks (default 10 s),
         * set on each session through {@code tcp_keepalives_idle/interval/count} and {@code tcp_user_timeout}. Whole
         * seconds, at least 4 s. Applies over TCP only (not a Unix socket).
         */
        public Builder serverReleaseAfter(java.time.Duration after) {
            config.serverReleaseAfter(after);
            return this;
        }

        /** Most connections used at once by waiters blocked on other sessions' locks (default 8). */
        public Builder maxWaiterConnections(int max) {
            config.maxWaiterConnections(max);
            return this;
        }

        /**
         * How long a waiter connection may stay idle (neither waiting nor holding a lock) before it is closed
         * (default 30 s). A burst of waits opens up to {@link #maxWaiterConnections(int)} connections; this returns
         * the client to its lock session alone once the burst is over. Checked on each heartbeat, so a connection
         * is closed at most one {@link #heartbeatInterval(java.time.Duration)} after its idle time has run out.
         *
         * @throws IllegalArgumentException if {@code timeout} is null, zero or negative
         */
        public Builder waiterIdleTimeout(java.time.Duration timeout) {
            config.waiterIdleTimeout(timeout);
            return this;
        }

        /**
         * How to evict a connection from the {@code DataSource}'s pool for good, for pools other than HikariCP (which
         * is recognised by itself, also behind wrappers that unwrap to it). The client evicts a connection whose state
         * is in doubt, since it may still hold advisory locks the next borrower would inherit; without a way to evict
         * it, the connection is aborted. Once {@code evictor} returns normally the client neither closes nor aborts the
         * connection: the evictor must end its physical session (as HikariCP's {@code evictConnection} does), or its
         * locks stay held. An exception from it counts as "not evicted", and the connection is aborted.
         *
         * @throws IllegalArgumentException if the builder was made from a JDBC URL (no pool)
         */
        public Builder poolEviction(java.util.function.Consumer<java.sql.Connection> evictor) {
            config.poolEviction(evictor);
            return this;
        }

        /**
         * Validates the settings and opens the client. The session itself is opened on first use.
         *
         * @throws IllegalArgumentException naming a bad setting, including {@code lossTimeout >= serverReleaseAfter}
         *     or {@code heartbeatInterval >= lossTimeout}
         */
        public LockClient build() {
            return PgLockClient.open(config.build());
        }
    }
}
