package dev.baton.micrometer;

import dev.baton.lock.LockKey;
import dev.baton.metrics.ElectorMetrics;
import dev.baton.metrics.LockClientMetrics;
import dev.baton.quartz.JobGuardMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Baton's meters in a Micrometer {@link MeterRegistry}, named under {@code baton.} with bounded tags only:
 *
 * <ul>
 *   <li>lock client ({@link #lockClientMetrics()}), tag {@code client} (the instance id): {@code baton.lock.acquired}
 *       (timer, includes waits), {@code baton.lock.not.acquired}, {@code baton.lock.lost} (keys),
 *       {@code baton.lock.sessions.lost}, {@code baton.lock.reconnects} (counters), {@code baton.lock.held.keys}
 *       (gauge). The acquire meters carry a {@code lock} tag only when {@link Builder#tagLockNames} lists names: the
 *       listed name, or {@code other} for every other key. Lock names are unbounded (10 000 keys are legal), so no
 *       name becomes a tag unless listed.
 *   <li>electors ({@link #electorMetrics()}), tag {@code group}: {@code baton.leader.leading} (gauge 1/0),
 *       {@code baton.leader.term} (gauge), {@code baton.leader.since.good.check} (time gauge),
 *       {@code baton.leader.elections}, {@code baton.leader.revocations} (tag {@code reason}),
 *       {@code baton.leader.check.failures}, {@code baton.leader.sessions.lost},
 *       {@code baton.leader.tasks.ignoring.interrupt} (counters), {@code baton.leader.time.to.acquire},
 *       {@code baton.leader.check} (timers).
 *   <li>Quartz guard ({@link #jobMetrics()}), tag {@code job} ({@code group.name}): {@code baton.quartz.firings}
 *       (counter, tag {@code outcome}: {@code executed}, {@code vetoed-locked}, {@code vetoed-duplicate},
 *       {@code vetoed-error}, {@code vetoed-not-leader}, {@code abandoned}), {@code baton.quartz.run},
 *       {@code baton.quartz.lock.latency}, {@code baton.quartz.overhead} (timers).
 * </ul>
 *
 * <p>Usable without Spring: {@code LockClient.builder(ds).metricsFactory(micrometer.lockClientMetrics())}, and the same
 * for {@code LeaderElector.Builder.metricsFactory} and {@code JobLockGuard.Builder.jobMetrics}. Immutable and
 * thread-safe; the meters it makes are thread-safe and never block.
 */
public final class BatonMicrometer {
    /** The {@code lock} tag value of every key whose name is not listed. */
    public static final String OTHER_LOCKS = "other";

    private final MeterRegistry registry;
    private final Set<String> taggedLockNames;

    private BatonMicrometer(Builder b) {
        this.registry = b.registry;
        this.taggedLockNames = Set.copyOf(b.taggedLockNames);
    }

    /** Meters in {@code registry}, with no lock name as a tag. */
    public static BatonMicrometer of(MeterRegistry registry) {
        return builder(registry).build();
    }

    /** A builder for meters in {@code registry}. */
    public static Builder builder(MeterRegistry registry) {
        return new Builder(registry);
    }

    /** The factory for {@code LockClient.Builder.metricsFactory}. */
    public LockClientMetrics.Factory lockClientMetrics() {
        return (instanceId, heldKeys) -> new MicrometerLockMetrics(registry, instanceId, heldKeys, taggedLockNames);
    }

    /** The factory for {@code LeaderElector.Builder.metricsFactory}. */
    public ElectorMetrics.Factory electorMetrics() {
        return (group, readings) -> new MicrometerElectorMetrics(registry, group, readings);
    }

    /** The guard's meters, for {@code JobLockGuard.Builder.jobMetrics}; needs {@code baton-scheduler-guard}. */
    public JobGuardMetrics jobMetrics() {
        return new MicrometerJobMetrics(registry);
    }

    /** The lock names that become tag values (empty: no {@code lock} tag). */
    public Set<String> taggedLockNames() {
        return taggedLockNames;
    }

    /** Settings of a {@link BatonMicrometer}. Not thread-safe. */
    public static final class Builder {
        private final MeterRegistry registry;
        private final Set<String> taggedLockNames = new LinkedHashSet<>();

        private Builder(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "meter registry must not be null");
        }

        /**
         * Lock names that get a {@code lock} tag of their own on the acquire meters; every other key is tagged
         * {@value #OTHER_LOCKS}. List only a bounded set (the names your code uses), never names built from data.
         *
         * @throws IllegalArgumentException if a name is not a valid lock name
         */
        public Builder tagLockNames(Iterable<String> names) {
            for (String name : names) {
                LockKey.named(name); // validates
                if (OTHER_LOCKS.equals(name)) {
                    throw new IllegalArgumentException(
                            "Lock name '" + OTHER_LOCKS + "' is the tag value of unlisted locks; rename the lock");
                }
                taggedLockNames.add(name);
            }
            return this;
        }

        /** The meters; nothing is registered until a component is built with one of its factories. */
        public BatonMicrometer build() {
            return new BatonMicrometer(this);
        }
    }
}
