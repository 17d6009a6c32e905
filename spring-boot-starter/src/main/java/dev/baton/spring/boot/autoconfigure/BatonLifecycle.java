package dev.baton.spring.boot.autoconfigure;

import dev.baton.BatonException;
import dev.baton.election.LeaderElector;
import dev.baton.lock.LockClient;
import dev.baton.lock.LockKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;

/**
 * Starts Baton when the application is ready and stops it on shutdown before anything it depends on.
 *
 * <ol>
 *   <li>On {@link ApplicationReadyEvent}: opens the lock session (one round trip), so a transaction-mode pooler or a
 *       standby fails startup with advice rather than the first lock; then starts the starter's electors (each opens
 *       and probes its session, and contends on its own threads).
 *   <li>On {@link #stop()}: closes the starter's electors, newest first (each revokes, interrupts its task and releases
 *       its lock). Its phase is below Quartz's scheduler and the web server's graceful shutdown, so jobs and requests
 *       end first. The lock client is closed after this, as a bean that depends on the {@code DataSource}: Spring
 *       destroys it before the {@code DataSource} closes.
 * </ol>
 *
 * <p>Thread-safe: {@code running} is atomic; Spring calls the lifecycle methods from one thread.
 */
final class BatonLifecycle implements SmartLifecycle, ApplicationListener<ApplicationReadyEvent> {
    /** Below Quartz's SchedulerFactoryBean (Integer.MAX_VALUE) and graceful web shutdown (Integer.MAX_VALUE - 1024). */
    static final int PHASE = Integer.MAX_VALUE - 4096;

    private static final Logger log = LoggerFactory.getLogger(BatonLifecycle.class);

    private final ObjectProvider<LockClient> lockClient;
    private final BatonElectors electors;
    private final BatonConnections connections;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean electorsStarted = new AtomicBoolean();

    BatonLifecycle(ObjectProvider<LockClient> lockClient, BatonElectors electors, BatonConnections connections) {
        this.lockClient = lockClient;
        this.electors = electors;
        this.connections = connections;
    }

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        if (!running.get() || !electorsStarted.compareAndSet(false, true)) {
            return;
        }
        LockClient client = lockClient.getIfAvailable();
        if (client != null) {
            try {
                // Opens the lock session now: a refusal (pooler, standby) or an unreachable server fails startup here.
                client.isLocked(LockKey.of(0));
            } catch (BatonException e) {
                throw new IllegalStateException(
                        "Baton's lock session could not be opened: " + e.getMessage() + ". Fix: "
                                + connections.advice(),
                        e);
            }
        }
        for (LeaderElector elector : electors.owned()) {
            try {
                elector.start();
            } catch (BatonException e) {
                throw new IllegalStateException(
                        "Baton's elector of group '" + elector.group() + "' could not start: " + e.getMessage()
                                + ". Fix: " + connections.advice(),
                        e);
            }
            log.info("Baton elector of group '{}' started as '{}'", elector.group(), elector.instanceId());
        }
    }

    @Override
    public void start() {
        running.set(true);
    }

    @Override
    public void stop() {
        if (!running.compareAndSet(true, false)) {
            return;
        }
        List<LeaderElector> reversed = new ArrayList<>(electors.owned());
        java.util.Collections.reverse(reversed);
        for (LeaderElector elector : reversed) {
            try {
                elector.close();
            } catch (RuntimeException e) { // one elector's failure must not keep the others holding their locks
                log.warn("Closing Baton's elector of group '{}' failed", elector.group(), e);
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running.get();
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
