package dev.baton.spring.boot.autoconfigure;

import dev.baton.election.LeaderElector;
import dev.baton.lock.LockClient;
import dev.baton.spring.boot.BatonLeaders;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code baton} actuator endpoint. Read: this instance's held locks (key, name where known, mode, holders, since),
 * the electors (group, leading, term, since, current leader), the guarded methods' and the Quartz guard's counters.
 * Write ({@code POST /actuator/baton/{group}}): yield the leadership of a group. Exposed and secured like every
 * actuator endpoint: not over HTTP unless {@code management.endpoints.web.exposure.include} names it.
 *
 * <p>Thread-safe; a read blocks for one short session per group (the current leader), a yield never blocks.
 */
@Endpoint(id = "baton")
public final class BatonEndpoint {
    private final LockClient client;
    private final BatonLeaders leaders;
    private final ObjectProvider<GuardedCallsPostProcessor> calls;
    private final ObjectProvider<JobCounts> jobs;

    BatonEndpoint(
            LockClient client,
            BatonLeaders leaders,
            ObjectProvider<GuardedCallsPostProcessor> calls,
            ObjectProvider<JobCounts> jobs) {
        this.client = client;
        this.leaders = leaders;
        this.calls = calls;
        this.jobs = jobs;
    }

    /** Everything this instance holds and leads, and its counters. */
    @ReadOperation
    public Map<String, Object> report() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("instanceId", client.instanceId());
        client.sessionPid().ifPresent(pid -> out.put("lockSessionPid", pid));
        out.put("locks", BatonReport.locks(client));
        out.put("electors", BatonReport.electors(leaders));
        GuardedCallsPostProcessor c = calls.getIfAvailable();
        if (c != null) {
            out.put("guardedMethods", c.counts());
        }
        JobCounts j = jobs.getIfAvailable();
        if (j != null) {
            out.put("quartz", j.snapshot());
        }
        return out;
    }

    /**
     * Yields the leadership of {@code group} if this instance leads it (the task is interrupted, the lock released on
     * the elector's thread; the instance rejoins after {@code rejoin-after-yield}).
     *
     * @return the group and whether this instance was leading it
     * @throws IllegalArgumentException for an unknown group (HTTP 400)
     */
    @WriteOperation
    public Map<String, Object> yieldLeadership(@Selector String group) {
        LeaderElector elector = leaders.require(group);
        boolean wasLeading = elector.isLeader();
        elector.yieldLeadership();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("group", group);
        out.put("yielded", wasLeading);
        return out;
    }
}
