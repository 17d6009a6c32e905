package dev.baton.spring.boot.autoconfigure;

import dev.baton.election.LeaderElector;
import dev.baton.election.LeaderInfo;
import dev.baton.lock.HeldLock;
import dev.baton.lock.LockClient;
import dev.baton.spring.boot.BatonLeaders;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the health indicator and the endpoint show, as maps of plain values (strings, numbers, booleans) so any JSON
 * writer renders them the same way. Stateless; each call reads the client and electors afresh.
 */
final class BatonReport {
    private BatonReport() {}

    /** This instance's held locks: key, name where known, mode, holders, since, valid. No round trip. */
    static List<Map<String, Object>> locks(LockClient client) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (HeldLock h : client.heldLocks()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("key", h.key().value());
            h.key().name().ifPresent(n -> m.put("name", n));
            m.put("mode", h.mode().name());
            m.put("holders", h.holders());
            m.put("since", h.since().toString());
            m.put("valid", h.valid());
            out.add(m);
        }
        return out;
    }

    /**
     * One group's elector: leading, term, and the current leader from the terms table (one short session and query;
     * a failure there is shown as {@code currentLeaderError}, never thrown).
     */
    static Map<String, Object> elector(LeaderElector elector) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("group", elector.group());
        m.put("instanceId", elector.instanceId());
        m.put("leading", elector.isLeader());
        elector.currentTerm().ifPresent(t -> m.put("term", t));
        try {
            Optional<LeaderInfo> leader = elector.currentLeader();
            leader.ifPresent(l -> {
                if (l.instanceId().equals(elector.instanceId()) && elector.isLeader()) {
                    m.put("since", l.since().toString());
                }
                Map<String, Object> info = new LinkedHashMap<>();
                info.put("instanceId", l.instanceId());
                info.put("term", l.term());
                info.put("since", l.since().toString());
                m.put("currentLeader", info);
            });
        } catch (RuntimeException e) {
            m.put("currentLeaderError", String.valueOf(e.getMessage()));
        }
        return m;
    }

    static List<Map<String, Object>> electors(BatonLeaders leaders) {
        List<Map<String, Object>> out = new ArrayList<>();
        leaders.electors().values().forEach(e -> out.add(elector(e)));
        return out;
    }
}
