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
    private final ScheduledExecutorService watchdog;

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
        // Its own thread: the heartbeat may be blocked on a silent server for up to lossTimeout, which is exactly
        // when the watchdog must run.
        this.watchdog =
                Executors.newSingleThreadScheduledExecutor(Threads.named("baton-lock-watchdog-" + config.instanceId()));
        long tickMs = ClientConfig.WATCHDOG_TICK.toMillis();
        var unusedToo = watchdog.scheduleAtFixedRate(
                () -> {
                    try {
                        if (engine.serverKeys() > 0) {
                            backend.watchdog();
                        }
                    } catch (Throwable t) { // an escaped exception would cancel the watchdog for good
                        log.error("Watchdog of client '{}' failed unexpectedly", config.instanceId(), t);
                    }
                },
                tickMs,
                tickMs,
                TimeUnit.MILLISECONDS);
        log.debug("Client '{}' timing: {}", config.instanceId(), config.describeTiming());
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
        // The heartbeat and watchdog go first so they cannot race the sessions' close; then the engine and backend
        // (which closes the loss watcher before the sessions).
        heartbeat.shutdownNow();
        watchdog.shutdownNow();
        super.close();
    }
}
