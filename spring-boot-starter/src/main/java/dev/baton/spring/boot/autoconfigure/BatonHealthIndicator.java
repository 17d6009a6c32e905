package dev.baton.spring.boot.autoconfigure;

import dev.baton.lock.LockClient;
import dev.baton.lock.LockKey;
import dev.baton.spring.boot.BatonLeaders;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The {@code baton} health: UP with details (instance id, lock session pid, held keys, and per group whether this
 * instance leads, its term and the current leader); DOWN only when the lock session cannot be opened. A follower is
 * UP: being a follower is the normal state of all but one instance, and a DOWN there would take healthy pods out of
 * service. Blocks for one round trip on the lock session, plus one short session per group for its current leader.
 */
final class BatonHealthIndicator extends AbstractHealthIndicator {
    /** The key whose holders the check asks for: any key proves the session answers; this one names its purpose. */
    private static final LockKey PROBE = LockKey.named("baton:health");

    private final LockClient client;
    private final BatonLeaders leaders;

    BatonHealthIndicator(LockClient client, BatonLeaders leaders) {
        super("Baton's lock session could not be opened");
        this.client = client;
        this.leaders = leaders;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        // Opens the session if it is not open (after a loss, say) and proves it answers; throws -> DOWN.
        client.isLocked(PROBE);
        builder.up().withDetail("instanceId", client.instanceId());
        client.sessionPid().ifPresent(pid -> builder.withDetail("lockSessionPid", pid));
        builder.withDetail(
                "heldKeys",
                client.heldLocks().stream().map(h -> h.key()).distinct().count());
        Map<String, Object> groups = new LinkedHashMap<>();
        leaders.electors().forEach((group, elector) -> {
            Map<String, Object> g = BatonReport.elector(elector);
            g.remove("group");
            groups.put(group, g);
        });
        if (!groups.isEmpty()) {
            builder.withDetail("groups", groups);
        }
    }
}
