package dev.baton.election.internal;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import dev.baton.election.LeadershipEvent;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Elector metrics in a Dropwizard registry, named {@code <prefix>.<metric>}: is-leader, term, elections,
 * revocations.&lt;reason&gt;, time-to-acquire, check-latency, check-failures, millis-since-good-check, sessions-lost,
 * tasks-ignoring-interrupt.
 */
final class DropwizardElectorMetrics implements ElectorMetrics {
    private final Timer timeToAcquire;
    private final Timer checkLatency;
    private final Counter checkFailures;
    private final Counter sessionsLost;
    private final Counter tasksIgnoringInterrupt;
    private final Map<LeadershipEvent.Reason, Counter> revocations = new EnumMap<>(LeadershipEvent.Reason.class);

    DropwizardElectorMetrics(Object registryObject, String prefix, LongSupplier term, LongSupplier sinceGoodCheck) {
        MetricRegistry registry = (MetricRegistry) registryObject;
        this.timeToAcquire = registry.timer(MetricRegistry.name(prefix, "time-to-acquire"));
        this.checkLatency = registry.timer(MetricRegistry.name(prefix, "check-latency"));
        this.checkFailures = registry.counter(MetricRegistry.name(prefix, "check-failures"));
        this.sessionsLost = registry.counter(MetricRegistry.name(prefix, "sessions-lost"));
        this.tasksIgnoringInterrupt = registry.counter(MetricRegistry.name(prefix, "tasks-ignoring-interrupt"));
        for (LeadershipEvent.Reason reason : LeadershipEvent.Reason.values()) {
            if (reason != LeadershipEvent.Reason.NONE) {
                revocations.put(reason, registry.counter(MetricRegistry.name(prefix, "revocations", reason.name())));
            }
        }
        registry.gauge(
                MetricRegistry.name(prefix, "is-leader"), () -> (Gauge<Integer>) () -> term.getAsLong() > 0 ? 1 : 0);
        registry.gauge(MetricRegistry.name(prefix, "term"), () -> (Gauge<Long>) term::getAsLong);
        registry.gauge(
                MetricRegistry.name(prefix, "millis-since-good-check"), () -> (Gauge<Long>) sinceGoodCheck::getAsLong);
    }

    @Override
    public void elected(long nanos) {
        timeToAcquire.update(nanos, TimeUnit.NANOSECONDS); // its count is the number of elections won
    }

    @Override
    public void revoked(LeadershipEvent.Reason reason) {
        Counter c = revocations.get(reason);
        if (c != null) {
            c.inc();
        }
    }

    @Override
    public void checked(long nanos) {
        checkLatency.update(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void checkFailed() {
        checkFailures.inc();
    }

    @Override
    public void sessionLost() {
        sessionsLost.inc();
    }

    @Override
    public void taskIgnoredInterrupt() {
        tasksIgnoringInterrupt.inc();
    }
}
