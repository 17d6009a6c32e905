package dev.baton.lock.internal;

import dev.baton.lock.LockClient;
import dev.baton.lock.LockHolder;
import dev.baton.lock.LockKey;
import dev.baton.lock.LockMode;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The PostgreSQL {@link LockClient}: the engine over one {@link PgSession} plus {@link Waiters}. */
public final class PgLockClient extends EngineLockClient {
    private static final Logger log = LoggerFactory.getLogger(PgLockClient.class);

    private final ScheduledExecutorService heartbeat;
    private final ScheduledFuture<?> heartbeatTask;

    private PgLockClient(LockEngine engine, PgBackend backend, LockMetrics metrics, ClientConfig config) {
        super(engine, backend, metrics);
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "baton-lock-heartbeat-" + config.instanceId());
            t.setDaemon(true);
            return t;
        });
        long periodMs = config.heartbeatInterval().toMillis();
        this.heartbeatTask = heartbeat.scheduleWithFixedDelay(
                () -> {
                    try {
                        if (engine.serverKeys() > 0) {
                            backend.heartbeat();
                        }
                    } catch (Throwable t) {
                        log.error("Heartbeat of client '{}' failed unexpectedly", config.instanceId(), t);
                    }
                },
                periodMs,
                periodMs,
                TimeUnit.MILLISECONDS);
    }

    /** Builds a client from validated settings; the session opens on first use. */
    public static LockClient open(ClientConfig config) {
        LockEngine engine = new LockEngine(config.instanceId(), config.maxKeys(), config.listeners());
        LockMetrics metrics =
                LockMetrics.create(config.metricRegistry(), "baton.locks." + config.instanceId(), engine::serverKeys);
        PgBackend backend = new PgBackend(config, metrics, engine);
        return new PgLockClient(engine, backend, metrics, config);
    }

    @Override
    public void close() {
        // The heartbeat goes first so it cannot race the session's close; then the engine and backend.
        heartbeatTask.cancel(false);
        heartbeat.shutdownNow();
        super.close();
    }

    /** The backend: the main session for tries, waiter sessions for waits; a hold stays where it was granted. */
    static final class PgBackend implements Backend {
        final PgSession main;
        final Waiters waiters;

        PgBackend(ClientConfig config, LockMetrics metrics, LockEngine engine) {
            this.main = new PgSession(config, metrics, false, (lost, cause) -> lost(engine, lost, cause, true));
            this.waiters = new Waiters(config, metrics, (lost, cause) -> lost(engine, lost, cause, false));
        }

        private static void lost(LockEngine engine, Hold lost, Throwable cause, boolean main) {
            PgSession.SessionHold dead = (PgSession.SessionHold) lost;
            engine.sessionLost(h -> dead.sameSessionAs((PgSession.SessionHold) h), cause, main);
        }

        @Override
        public Hold tryAcquire(LockKey key, LockMode mode, Hold sameSession, long waitMs) {
            if (sameSession == null) {
                return main.tryAcquire(key, mode);
            }
            PgSession session = ((PgSession.SessionHold) sameSession).session();
            PgSession.SessionHold hold = session.acquireOwnOtherMode(key, mode, waitMs);
            if (hold != null && session != main) {
                waiters.added(session);
            }
            return hold;
        }

        @Override
        public Hold awaitAcquire(LockKey key, LockMode mode, long deadline, boolean interruptible)
                throws InterruptedException {
            return waiters.awaitAcquire(key, mode, deadline, interruptible);
        }

        @Override
        public boolean release(LockKey key, LockMode mode, Hold hold) {
            PgSession.SessionHold sessionHold = (PgSession.SessionHold) hold;
            PgSession session = sessionHold.session();
            try {
                return session.release(key, mode, sessionHold);
            } finally {
                if (session != main) {
                    waiters.released(session);
                }
            }
        }

        @Override
        public List<LockHolder> holders(LockKey key) {
            return main.holders(key);
        }

        void heartbeat() {
            main.heartbeat();
            waiters.heartbeat();
        }

        @Override
        public void close() {
            // Waiters first: they must not take a lock for a client that is going away.
            waiters.close();
            main.close();
        }
    }
}
