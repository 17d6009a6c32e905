package dev.baton.election.internal.dropwizard;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import dev.baton.election.LeadershipEvent;
import dev.baton.election.internal.ElectorMetrics;
import java.util.Collections;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Elector metrics in a Dropwizard registry, named {@code baton.leader.<group>.<metric>}: is-leader, term, elections,
 * revocations.&lt;reason&gt;, time-to-acquire, check-latency, check-failures, millis-since-good-check, sessions-lost,
 * tasks-ignoring-interrupt. Thread-safe and non-blocking, as Dropwizard's counters and timers are.
 */
public final class DropwizardElectorMetrics implements ElectorMetrics {
    private final Counter elections;
    private final Timer timeToAcquire;
    private final Timer checkLatency;
    private final Counter checkFailures;
    private final Counter sessionsLost;
    private final Counter tasksIgnoringInterrupt;
    private final Map<LeadershipEvent.Reason, Counter> revocations = new EnumMap<>(LeadershipEvent.Reason.class);
    private final MetricRegistry registry;
    private final Set<Metric> gauges; // the gauges this elector registered (another of the same group may own them)

    private DropwizardElectorMetrics(MetricRegistry registry, String group, Readings readings) {
        String prefix = "baton.leader." + group;
        this.registry = registry;
        this.elections = registry.counter(MetricRegistry.name(prefix, "elections"));
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
        Set<Metric> ours = Collections.newSetFromMap(new IdentityHashMap<>());
        gauge(registry, MetricRegistry.name(prefix, "is-leader"), () -> readings.term() > 0 ? 1 : 0, ours);
        gauge(registry, MetricRegistry.name(prefix, "term"), readings::term, ours);
        gauge(registry, MetricRegistry.name(prefix, "millis-since-good-check"), readings::millisSinceGoodCheck, ours);
        this.gauges = ours;
    }

    /** Registers {@code gauge} unless the name is taken (by another elector of the group); remembers it if ours. */
    private static <T> void gauge(MetricRegistry registry, String name, Gauge<T> gauge, Set<Metric> ours) {
        if (registry.gauge(name, () -> gauge) == gauge) {
            ours.add(gauge);
        }
    }

    /** The factory the builder keeps; nothing is registered until an elector is built. */
    public static ElectorMetrics.Factory factory(MetricRegistry registry) {
        return (group, readings) -> new DropwizardElectorMetrics(registry, group, readings);
    }

    @Override
    public void elected(long nanosToAcquire) {
        elections.inc();
        timeToAcquire.update(nanosToAcquire, TimeUnit.NANOSECONDS);
    }

    @Override
    public void revoked(LeadershipEvent.Reason reason) {
        Counter c = revocations.get(reason);
        if (c != null) {
            c.inc();
        }
    }

    @Override
    public void checkSucceeded(long nanos) {
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
    public void close() {
        registry.removeMatching((name, metric) -> gauges.contains(metric));
    }

    @Override
    public void taskIgnoredInterrupt() {
        tasksIgnoringInterrupt.inc();
    }
}
