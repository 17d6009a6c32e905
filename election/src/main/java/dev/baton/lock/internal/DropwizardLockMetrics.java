package dev.baton.lock.internal;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/** Lock client metrics in a Dropwizard registry, named {@code <prefix>.<metric>}. */
final class DropwizardLockMetrics implements LockMetrics {
    private final Timer acquired;
    private final Counter notAcquired;
    private final Counter lost;
    private final Counter sessionsLost;
    private final Counter reconnects;

    DropwizardLockMetrics(Object registryObject, String prefix, IntSupplier heldKeys) {
        MetricRegistry registry = (MetricRegistry) registryObject;
        this.acquired = registry.timer(MetricRegistry.name(prefix, "acquired"));
        this.notAcquired = registry.counter(MetricRegistry.name(prefix, "not-acquired"));
        this.lost = registry.counter(MetricRegistry.name(prefix, "locks-lost"));
        this.sessionsLost = registry.counter(MetricRegistry.name(prefix, "sessions-lost"));
        this.reconnects = registry.counter(MetricRegistry.name(prefix, "reconnects"));
        registry.gauge(MetricRegistry.name(prefix, "held-keys"), () -> (Gauge<Integer>) heldKeys::getAsInt);
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
    public void reconnected() {
        reconnects.inc();
    }
}
