package dev.baton.lock.internal.dropwizard;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import dev.baton.lock.internal.LockMetrics;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Lock client metrics in a Dropwizard registry, named {@code baton.locks.<instance id>.<metric>}. Loaded only when
 * the user passed a registry, so Dropwizard stays optional.
 */
public final class DropwizardLockMetrics implements LockMetrics {
    private final Timer acquired;
    private final Counter notAcquired;
    private final Counter lost;
    private final Counter sessionsLost;
    private final Counter reconnects;
    private final MetricRegistry registry;
    private final String prefix;
    private final Counter inDoubt;

    private DropwizardLockMetrics(MetricRegistry registry, String prefix, IntSupplier heldKeys) {
        this.acquired = registry.timer(MetricRegistry.name(prefix, "acquired"));
        this.notAcquired = registry.counter(MetricRegistry.name(prefix, "not-acquired"));
        this.lost = registry.counter(MetricRegistry.name(prefix, "locks-lost"));
        this.sessionsLost = registry.counter(MetricRegistry.name(prefix, "sessions-lost"));
        this.reconnects = registry.counter(MetricRegistry.name(prefix, "reconnects"));
        this.registry = registry;
        this.prefix = prefix;
        this.inDoubt = registry.counter(MetricRegistry.name(prefix, "locks-in-doubt"));
        registry.gauge(MetricRegistry.name(prefix, "held-keys"), () -> (Gauge<Integer>) heldKeys::getAsInt);
    }

    /** The factory for a client whose metrics go to {@code registry}. */
    public static LockMetrics.Factory factory(MetricRegistry registry) {
        return (instanceId, heldKeys) -> new DropwizardLockMetrics(registry, "baton.locks." + instanceId, heldKeys);
    }

    @Override
    public void acquired(long nanos) {
        acquired.update(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void notAcquired() {
        notAcquired.inc();
    }

    @Override
    public void lost(int count) {
        lost.inc(count);
    }

    @Override
    public void sessionLost() {
        sessionsLost.inc();
    }

    @Override
    public void inDoubt(int count) {
        inDoubt.inc(count);
    }

    @Override
    public void reconnected() {
        reconnects.inc();
    }

    @Override
    public void waiterSessions(IntSupplier open) {
        registry.gauge(MetricRegistry.name(prefix, "waiter-sessions"), () -> (Gauge<Integer>) open::getAsInt);
    }
}
