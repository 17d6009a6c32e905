package dev.baton.quartz.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import org.quartz.JobExecutionContext;
import org.quartz.JobListener;
import org.quartz.ListenerManager;
import org.quartz.SchedulerException;
import org.quartz.TriggerListener;
import org.quartz.impl.matchers.EverythingMatcher;
import org.quartz.listeners.SchedulerListenerSupport;

/**
 * The {@link Guard} behind one {@code JobLockGuard}, and whether that guard is registered as a job listener.
 *
 * <p>A guard configured in {@code quartz.properties} is built on first use: Quartz calls the no-arg constructor, then
 * the setters, then asks for the listener name, and only then are the settings complete. Thread-safe.
 */
public final class GuardHandle {
    private final Object configLock = new Object();
    private final PropertySettings settings; // null when built in code; guarded by configLock
    private volatile Guard guard; // set once
    private final AtomicBoolean registered = new AtomicBoolean(); // set once its job listener is registered

    private GuardHandle(PropertySettings settings, Guard guard) {
        this.settings = settings;
        this.guard = guard;
    }

    /** A guard to be configured by the {@code quartz.properties} setters. */
    public static GuardHandle fromProperties() {
        return new GuardHandle(new PropertySettings(), null);
    }

    static GuardHandle of(Guard guard) {
        return new GuardHandle(null, guard);
    }

    /**
     * The settings the {@code quartz.properties} setters write to.
     *
     * @throws IllegalStateException once the guard is built, or if it was built in code
     */
    public PropertySettings properties() {
        synchronized (configLock) {
            if (settings == null || guard != null) {
                throw new IllegalStateException(
                        "JobLockGuard is already configured; setters are for quartz.properties");
            }
            return settings;
        }
    }

    /**
     * The guard, built from the {@code quartz.properties} settings on the first call.
     *
     * @throws IllegalStateException if those settings are invalid
     */
    public Guard guard() {
        Guard g = guard;
        if (g == null) {
            synchronized (configLock) {
                g = guard;
                if (g == null) {
                    g = new Guard(settings.build());
                    guard = g;
                }
            }
        }
        return g;
    }

    /**
     * The listener name.
     *
     * @throws IllegalStateException if the guard, built on the first call, has invalid {@code quartz.properties}
     */
    public String name() {
        return guard().config().name();
    }

    /** The listener name as far as it is known, without building the guard: for messages. */
    public String nameSoFar() {
        Guard g = guard;
        return g != null ? g.config().name() : settings.name();
    }

    public boolean registered() {
        return registered.get();
    }

    /**
     * Starts the guard and registers {@code listener} as trigger, job and (to close on shutdown) scheduler listener.
     *
     * @throws IllegalStateException if it is already registered
     */
    public <L extends TriggerListener & JobListener> void register(ListenerManager listeners, L listener)
            throws SchedulerException {
        if (!registered.compareAndSet(false, true)) {
            throw new IllegalStateException(listener + " is already registered with a scheduler; it closes when that"
                    + " scheduler shuts down, so build one guard per scheduler");
        }
        guard().start();
        listeners.addTriggerListener(listener, EverythingMatcher.allTriggers());
        addCompanionListeners(listeners, listener);
    }

    /**
     * For a guard added as a trigger listener only ({@code quartz.properties}, or {@code addTriggerListener} in code):
     * registers {@code listener} as job listener too, before this firing's release callbacks are due (Quartz builds
     * the job listener list at each notification, on this same thread, after {@code triggerFired}).
     */
    public void registerOnFirstFiring(JobExecutionContext context, JobListener listener) throws SchedulerException {
        if (!registered.get()) {
            synchronized (configLock) {
                if (!registered.get()) {
                    guard().start();
                    addCompanionListeners(context.getScheduler().getListenerManager(), listener);
                    registered.set(true);
                }
            }
        }
    }

    /** Closes the guard if it was built. Idempotent. */
    public void close() {
        Guard g = guard;
        if (g != null) {
            g.close();
        }
    }

    /** The job listener (release callbacks) and the scheduler listener (close on shutdown). */
    private void addCompanionListeners(ListenerManager listeners, JobListener listener) throws SchedulerException {
        listeners.addJobListener(listener, guard().config().jobs());
        listeners.addSchedulerListener(new SchedulerListenerSupport() {
            @Override
            public void schedulerShutdown() {
                guard().schedulerShutdown();
            }
        });
    }
}
