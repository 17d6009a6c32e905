package dev.baton.micrometer;

import dev.baton.election.LeadershipEvent;
import dev.baton.metrics.ElectorMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One elector's meters, tagged with its group; see {@link BatonMicrometer}. Thread-safe. */
final class MicrometerElectorMetrics implements ElectorMetrics {
    private final Counter elections;
    private final Timer timeToAcquire;
    private final Timer check;
    private final Counter checkFailures;
    private final Counter sessionsLost;
    private final Counter tasksIgnoringInterrupt;
    private final Map<LeadershipEvent.Reason, Counter> revocations = new EnumMap<>(LeadershipEvent.Reason.class);

    MicrometerElectorMetrics(MeterRegistry registry, String group, Readings readings) {
        Tags tags = Tags.of("group", group);
        this.elections = registry.counter("baton.leader.elections", tags);
        this.timeToAcquire = Timer.builder("baton.leader.time.to.acquire")
                .tags(tags)
                .description("From the start of a candidacy to the new term")
                .register(registry);
        this.check = Timer.builder("baton.leader.check")
                .tags(tags)
                .description("The leader's checks that proved the lock held")
                .register(registry);
        this.checkFailures = registry.counter("baton.leader.check.failures", tags);
        this.sessionsLost = registry.counter("baton.leader.sessions.lost", tags);
        this.tasksIgnoringInterrupt = registry.counter("baton.leader.tasks.ignoring.interrupt", tags);
        for (LeadershipEvent.Reason reason : LeadershipEvent.Reason.values()) {
            if (reason != LeadershipEvent.Reason.NONE) {
                revocations.put(
                        reason, registry.counter("baton.leader.revocations", tags.and("reason", reason.name())));
            }
        }
        Gauge.builder("baton.leader.leading", readings, r -> r.term() > 0 ? 1 : 0)
                .tags(tags)
                .strongReference(true) // nothing else keeps the object read alive
                .description("1 while this instance leads the group")
                .register(registry);
        Gauge.builder("baton.leader.term", readings, Readings::term)
                .tags(tags)
                .strongReference(true) // nothing else keeps the object read alive
                .description("The fencing term held, 0 when not leading")
                .register(registry);
        TimeGauge.builder(
                        "baton.leader.since.good.check",
                        readings,
                        TimeUnit.MILLISECONDS,
                        Readings::millisSinceGoodCheck)
                .tags(tags)
                .strongReference(true) // nothing else keeps the object read alive
                .description("Time since the leader last proved its lock held, 0 when not leading")
                .register(registry);
    }

    @Override
    public void elected(long nanosToAcquire) {
        elections.increment();
        timeToAcquire.record(nanosToAcquire, TimeUnit.NANOSECONDS);
    }

    @Override
    public void revoked(LeadershipEvent.Reason reason) {
        Counter c = revocations.get(reason);
        if (c != null) {
            c.increment();
        }
    }

    @Override
    public void checkSucceeded(long nanos) {
        check.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void checkFailed() {
        checkFailures.increment();
    }

    @Override
    public void sessionLost() {
        sessionsLost.increment();
    }

    @Override
    public void taskIgnoredInterrupt() {
        tasksIgnoringInterrupt.increment();
    }
}
