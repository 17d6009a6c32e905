package dev.baton.election;

import dev.baton.BatonException;
import dev.baton.election.internal.ElectorConfig;
import dev.baton.election.internal.ElectorImpl;
import dev.baton.election.internal.dropwizard.DropwizardElectorMetrics;
import dev.baton.internal.ConnectionSource;
import dev.baton.lock.LockKey;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * Leader election for one group of instances on a PostgreSQL session-level advisory lock, with fencing terms.
 *
 * <p>Algorithm:
 *
 * <ol>
 *   <li>Each elector keeps one dedicated session (application_name = instance id). At connect it refuses a hot standby
 *       ({@code pg_is_in_recovery()}) and a transaction-mode pooler, sets {@code tcp_keepalives_idle/interval/count}
 *       and {@code tcp_user_timeout} so the server drops a silent client after {@code serverReleaseAfter}, and
 *       creates the terms table if allowed.
 *   <li>A candidate waits natively in {@code pg_advisory_lock(key)}, bounded by {@code lock_timeout} and re-issued, so
 *       it is granted the lock within milliseconds of the leader's session ending. Key: {@link #lockKey(String)}.
 *   <li>Once granted, in the same session, it takes the group's next term in the terms table: one more than the last,
 *       and at least {@code timeline * 1 000 000 000 + 1}, the server's timeline being what a promotion increments.
 *       The term is handed to the task and to the ELECTED {@link LeadershipEvent}. Terms strictly increase, across
 *       restarts and across a failover, also when asynchronous replication lost the old primary's last terms.
 *   <li>The leader's session stays idle and its socket is read continuously, so a terminated backend or a server
 *       shutdown is noticed in milliseconds; every {@code checkInterval} a check proves in {@code pg_locks} that the
 *       same backend still holds the key on a primary.
 *   <li>If no check has succeeded for {@code stepDownAfter}, the leader revokes itself. Building refuses
 *       {@code stepDownAfter >= serverReleaseAfter}: in a partition the old leader stops before the server can grant
 *       the lock to anyone else.
 *   <li>On any loss: leadership is revoked first (task interrupted, event emitted), then the session is released or
 *       discarded, and the elector contends again (after a bounded backoff when the server is away). Leadership given
 *       up on purpose (close, yield, task end) is handed over as soon as the task has stopped: the session is dropped
 *       and the server grants the lock to the next candidate at once.
 * </ol>
 *
 * <p>Thread-safe: every method may be called from any thread, including the task and listeners. Only {@link #start()},
 * {@link #currentLeader()}, {@link #awaitLeadership(Duration)} and {@link #close()} block (each says for how long); the
 * others read the elector's state and return at once. Lifecycle: LATENT → {@link #start()} → STARTED →
 * {@link #close()} → CLOSED.
 */
public interface LeaderElector extends AutoCloseable {

    /** The advisory lock key of a group: {@code LockKey.named("baton:leader:" + group)}. */
    static LockKey lockKey(String group) {
        return LockKey.named("baton:leader:" + group);
    }

    /**
     * A builder whose session comes from {@code dataSource}. If it is a pool, the elector takes one connection for as
     * long as it runs, drops its advisory locks before giving it back, and evicts or aborts it when in doubt.
     */
    static Builder builder(DataSource dataSource, String group) {
        return new Builder(ConnectionSource.of(dataSource), group);
    }

    /** A builder that opens physical connections of its own with {@link java.sql.DriverManager} (preferred). */
    static Builder builder(String jdbcUrl, Properties properties, String group) {
        return new Builder(ConnectionSource.of(jdbcUrl, properties), group);
    }

    /**
     * Starts contending. The first connection is made on the calling thread, so a standby, a transaction-mode pooler,
     * or a missing terms table fail here; if the server is merely unreachable the elector keeps retrying in the
     * background. Blocks while that connection is opened and probed (the pooler probe waits at most 3 s for a second
     * connection); the election itself runs on the elector's own threads.
     *
     * @throws IllegalStateException if called more than once
     * @throws BatonException if the server cannot host an election (the elector is then closed)
     */
    void start();

    /** Whether this instance leads right now. Never blocks; may turn false an instant later. */
    boolean isLeader();

    /** The term this instance holds, or empty when it does not lead. Never blocks. */
    OptionalLong currentTerm();

    /**
     * The group's leader according to the terms table, if the lock is currently held by anyone. Works on every node;
     * blocks while it opens a short session of its own and runs one query (bounded by the driver's timeouts).
     *
     * @throws BatonException if the query fails
     */
    Optional<LeaderInfo> currentLeader();

    /**
     * Steps down if leading (REVOKED, reason YIELDED; the task is interrupted and awaited, then the lock released) and
     * re-enters the election after {@code rejoinAfterYield} (also when the release failed). Does not wait for the task
     * or the session thread: without a task the calling thread releases the lock at once by dropping the session (an
     * abort, or an eviction from its pool; a new session is opened for the next candidacy), with a task its thread does
     * so as the task returns; a no-op when not leading.
     */
    void yieldLeadership();

    /**
     * Blocks until this instance leads, the timeout passes or the elector is closed.
     *
     * @return whether it leads
     * @throws InterruptedException if interrupted while waiting
     */
    boolean awaitLeadership(Duration timeout) throws InterruptedException;

    /** The election group. Never blocks. */
    String group();

    /** This instance's id. Never blocks. */
    String instanceId();

    /**
     * Revokes leadership (REVOKED, reason STOPPED), interrupts the task and waits up to {@code taskStopTimeout} for it
     * (a task that ignores interruption is logged with its stack and left behind), releases the lock, closes the
     * session and stops the elector's threads. Blocks at most {@code taskStopTimeout + lockWaitTimeout + stepDownAfter}
     * + 1 s for the session thread, plus up to 2 s for queued events, so REVOKED(STOPPED) has reached the listeners
     * when it returns. Idempotent. Called from the task, it does not wait for the task (itself) nor for the release,
     * which follows once the task returns; called from a listener, it does not wait for the events queued after the
     * current one.
     */
    @Override
    void close();

    /** Settings for a {@link LeaderElector}. Not thread-safe; {@link #build()} validates and freezes them. */
    final class Builder {
        private final ElectorConfig.Builder config;

        Builder(ConnectionSource source, String group) {
            this.config = ElectorConfig.builder(source, group);
        }

        /** The instance id; default {@code host:pid:random}. Also the session's {@code application_name}. */
        public Builder instanceId(String instanceId) {
            config.instanceId(instanceId);
            return this;
        }

        /** The task run while leading (optional). */
        public Builder whileLeader(LeaderTask task) {
            config.task(task);
            return this;
        }

        /**
         * Whether leadership ends when the task returns (default true, Curator semantics). With false, a returning
         * task keeps leadership until loss, yield or close; a throwing task always ends it.
         */
        public Builder releaseWhenTaskReturns(boolean release) {
            config.releaseWhenTaskReturns(release);
            return this;
        }

        /** Adds a listener of every ELECTED and REVOKED event. */
        public Builder addListener(LeadershipListener listener) {
            config.addListener(listener);
            return this;
        }

        /**
         * Dropwizard registry for the elector's metrics (optional), named {@code baton.leader.<group>.*}. Dropwizard
         * Metrics is needed at run time only when this is called.
         */
        public Builder metrics(com.codahale.metrics.MetricRegistry registry) {
            // The factory lives in its own subpackage, so Dropwizard is loaded only when a registry is given.
            config.metrics(DropwizardElectorMetrics.factory(
                    Objects.requireNonNull(registry, "metrics registry must not be null; omit the call instead")));
            return this;
        }

        /**
         * The factory of the elector's metrics (optional), for any metrics library: {@code baton-micrometer}'s
         * {@code BatonMicrometer} is one. Replaces an earlier {@link #metrics(com.codahale.metrics.MetricRegistry)}.
         */
        public Builder metricsFactory(dev.baton.metrics.ElectorMetrics.Factory factory) {
            config.metrics(dev.baton.election.internal.SpiElectorMetrics.factory(
                    Objects.requireNonNull(factory, "metrics factory must not be null; omit the call instead")));
            return this;
        }

        /**
         * How to evict a connection from the {@code DataSource}'s pool for good, for pools other than HikariCP (which
         * is recognised by itself, also behind wrappers that unwrap to it). The elector evicts a connection whose
         * session is in doubt, since it may still hold the leader lock; without a way to evict it, it is aborted. The
         * evictor must end the physical session (the elector does not close or abort it after a normal return).
         *
         * @throws IllegalArgumentException if the builder was made from a JDBC URL (no pool)
         */
        public Builder poolEviction(java.util.function.Consumer<java.sql.Connection> evictor) {
            config.poolEviction(evictor);
            return this;
        }

        /** How often the leader proves it still holds the lock (default 1 s). */
        public Builder checkInterval(Duration interval) {
            config.checkInterval(interval);
            return this;
        }

        /** How long the leader may go without a successful check before it revokes itself (default 5 s). */
        public Builder stepDownAfter(Duration duration) {
            config.stepDownAfter(duration);
            return this;
        }

        /**
         * After how long the server drops a silent leader's session (default 10 s), set through TCP keepalive and
         * {@code tcp_user_timeout} on the session. Whole seconds, at least 4 s. Must exceed {@code stepDownAfter}.
         */
        public Builder serverReleaseAfter(Duration duration) {
            config.serverReleaseAfter(duration);
            return this;
        }

        /** How long one native lock wait lasts before it is re-issued and the session re-checked (default 2 s). */
        public Builder lockWaitTimeout(Duration duration) {
            config.lockWaitTimeout(duration);
            return this;
        }

        /** How long a yielding instance stays out of the election (default 1 s). */
        public Builder rejoinAfterYield(Duration duration) {
            config.rejoinAfterYield(duration);
            return this;
        }

        /** How long {@code close()} and a step-down wait for the task to stop after interrupting it (default 10 s). */
        public Builder taskStopTimeout(Duration duration) {
            config.taskStopTimeout(duration);
            return this;
        }

        /** Longest pause between reconnect attempts while the server is away (default 5 s; starts at 100 ms). */
        public Builder maxReconnectBackoff(Duration duration) {
            config.maxReconnectBackoff(duration);
            return this;
        }

        /** The terms table, optionally schema-qualified (default {@code baton_leader_terms}). */
        public Builder tableName(String tableName) {
            config.tableName(tableName);
            return this;
        }

        /** Whether the terms table is created if missing (default true); see {@code docs/sql/}. */
        public Builder createTable(boolean create) {
            config.createTable(create);
            return this;
        }

        /**
         * Validates and freezes the settings.
         *
         * @throws IllegalArgumentException naming a bad setting, including {@code stepDownAfter >= serverReleaseAfter}
         */
        public LeaderElector build() {
            return new ElectorImpl(config.build());
        }
    }
}
