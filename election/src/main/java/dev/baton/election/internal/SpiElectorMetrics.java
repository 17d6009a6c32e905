package dev.baton.election.internal;

import dev.baton.election.LeadershipEvent;
import java.util.Objects;

/** The internal seam over a user's {@link dev.baton.metrics.ElectorMetrics}. */
public final class SpiElectorMetrics implements ElectorMetrics {
    private final dev.baton.metrics.ElectorMetrics target;

    private SpiElectorMetrics(dev.baton.metrics.ElectorMetrics target) {
        this.target = target;
    }

    /** The internal factory for a public one. */
    public static ElectorMetrics.Factory factory(dev.baton.metrics.ElectorMetrics.Factory factory) {
        return (group, readings) -> {
            dev.baton.metrics.ElectorMetrics.Readings publicReadings = new dev.baton.metrics.ElectorMetrics.Readings() {
                @Override
                public long term() {
                    return readings.term();
                }

                @Override
                public long millisSinceGoodCheck() {
                    return readings.millisSinceGoodCheck();
                }
            };
            return new SpiElectorMetrics(
                    Objects.requireNonNull(factory.create(group, publicReadings), "metrics factory returned null"));
        };
    }

    @Override
    public void elected(long nanosToAcquire) {
        target.elected(nanosToAcquire);
    }

    @Override
    public void revoked(LeadershipEvent.Reason reason) {
        target.revoked(reason);
    }

    @Override
    public void checkSucceeded(long nanos) {
        target.checkSucceeded(nanos);
    }

    @Override
    public void checkFailed() {
        target.checkFailed();
    }

    @Override
    public void sessionLost() {
        target.sessionLost();
    }

    @Override
    public void taskIgnoredInterrupt() {
        target.taskIgnoredInterrupt();
    }
}
