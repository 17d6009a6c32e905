package dev.baton.lock.internal;

import dev.baton.lock.LockKey;
import dev.baton.metrics.LockClientMetrics;

/** The internal seam over a user's {@link LockClientMetrics}: the engine sees only {@link LockMetrics}. */
public final class SpiLockMetrics implements LockMetrics {
    private final LockClientMetrics target;

    private SpiLockMetrics(LockClientMetrics target) {
        this.target = target;
    }

    /** The internal factory for a public one. */
    public static LockMetrics.Factory factory(LockClientMetrics.Factory factory) {
        return (instanceId, heldKeys) -> new SpiLockMetrics(java.util.Objects.requireNonNull(
                factory.create(instanceId, heldKeys), "metrics factory returned null"));
    }

    @Override
    public void acquired(LockKey key, long nanos) {
        target.acquired(key, nanos);
    }

    @Override
    public void notAcquired(LockKey key) {
        target.notAcquired(key);
    }

    @Override
    public void lost(int count) {
        target.lost(count);
    }

    @Override
    public void sessionLost() {
        target.sessionLost();
    }

    @Override
    public void reconnected() {
        target.reconnected();
    }
}
