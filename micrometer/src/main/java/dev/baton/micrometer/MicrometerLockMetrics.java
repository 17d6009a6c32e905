package dev.baton.micrometer;

import dev.baton.lock.LockKey;
import dev.baton.metrics.LockClientMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/** One lock client's meters; see {@link BatonMicrometer}. Thread-safe: the maps are built once, then only read. */
final class MicrometerLockMetrics implements LockClientMetrics {
    private final Counter lost;
    private final Counter sessionsLost;
    private final Counter reconnects;
    private final Map<Long, Timer> acquiredByKey = new HashMap<>();
    private final Map<Long, Counter> notAcquiredByKey = new HashMap<>();
    private final Timer acquiredOther;
    private final Counter notAcquiredOther;

    MicrometerLockMetrics(MeterRegistry registry, String instanceId, IntSupplier heldKeys, Set<String> taggedNames) {
        Tags client = Tags.of("client", instanceId);
        this.lost = registry.counter("baton.lock.lost", client);
        this.sessionsLost = registry.counter("baton.lock.sessions.lost", client);
        this.reconnects = registry.counter("baton.lock.reconnects", client);
        Gauge.builder("baton.lock.held.keys", heldKeys, s -> s.getAsInt())
                .tags(client)
                .strongReference(true) // nothing else keeps the object read alive
                .description("Keys this client holds on the server now")
                .register(registry);
        // Every tag value is known here, so the hot path only looks a meter up by key value.
        Tags other = taggedNames.isEmpty() ? client : client.and("lock", BatonMicrometer.OTHER_LOCKS);
        this.acquiredOther = acquiredTimer(registry, other);
        this.notAcquiredOther = registry.counter("baton.lock.not.acquired", other);
        for (String name : taggedNames) {
            Tags named = client.and("lock", name);
            long key = LockKey.named(name).value();
            acquiredByKey.put(key, acquiredTimer(registry, named));
            notAcquiredByKey.put(key, registry.counter("baton.lock.not.acquired", named));
        }
    }

    private static Timer acquiredTimer(MeterRegistry registry, Tags tags) {
        return Timer.builder("baton.lock.acquired")
                .tags(tags)
                .description("Server locks taken, with the time each took (waits included)")
                .register(registry);
    }

    @Override
    public void acquired(LockKey key, long nanos) {
        acquiredByKey.getOrDefault(key.value(), acquiredOther).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void notAcquired(LockKey key) {
        notAcquiredByKey.getOrDefault(key.value(), notAcquiredOther).increment();
    }

    @Override
    public void lost(int count) {
        lost.increment(count);
    }

    @Override
    public void sessionLost() {
        sessionsLost.increment();
    }

    @Override
    public void reconnected() {
        reconnects.increment();
    }
}
