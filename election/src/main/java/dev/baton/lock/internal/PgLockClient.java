package dev.baton.lock.internal;

import dev.baton.internal.Threads;
import dev.baton.lock.LockClient;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The PostgreSQL {@link LockClient}: the engine over a {@link PgBackend}, and the heartbeat that checks it. */
public final class PgLockClient extends EngineLockClient {
    private static final Logger log = LoggerFactory.getLogger(PgLockClient.class);

    private final ScheduledExecutorService heartbeat;

    private PgLockClient(LockEngine engine, ClientConfig config) {
        super(engine);
        PgBackend backend = (PgBackend) engine.backend();
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(
                Threads.named("baton-lock-heartbeat-" + config.instanceId()));
        long periodMs = config.heartbeatInterval().toMillis();
        var unused = heartbeat.scheduleWithFixedDelay(
                () -> {
                    try {
                        if (engine.serverKeys() > 0) {
                            backend.heartbeat();
                        }
                        backend.closeIdleWaiters();
                    } catch (Throwable t) { // an escaped exception would cancel the heartbeat for good
                        log.error("Heartbeat of client '{}' failed unexpectedly", config.instanceId(), t);
                    }
                },
                periodMs,
                periodMs,
                TimeUnit.MILLISECONDS);
    }

    /** Builds a client from validated settings; the session opens on first use. */
    public static LockClient open(ClientConfig config) {
        LockEngine engine = new LockEngine(
                config.instanceId(),
                config.maxKeys(),
                config.listeners(),
                config.metrics(),
                (e, metrics) -> new PgBackend(config, metrics, e));
        return new PgLockClient(engine, config);
    }

    @Override
    public void close() {
        // The heartbeat goes first so it cannot race the session's close; then the engine and backend.
        heartbeat.shutdownNow();
        super.close();
    }
}
