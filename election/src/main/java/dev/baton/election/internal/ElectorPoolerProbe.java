package dev.baton.election.internal;

import dev.baton.internal.PoolerProbe;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/** The elector's refusal of a transaction- or statement-mode pooler; the probe itself is {@link PoolerProbe}. */
final class ElectorPoolerProbe {
    private ElectorPoolerProbe() {}

    static void refuseTransactionPooling(ElectorConfig config, Connection ours, int ourPid) throws SQLException {
        Optional<String> evidence = PoolerProbe.evidence(
                config.source, ours, ourPid, "baton-elector-" + config.group + "-pooler-probe", 3000);
        if (evidence.isPresent()) {
            throw pooler(config, evidence.get());
        }
    }

    static ElectorRefusal pooler(ElectorConfig config, String evidence) {
        return new ElectorRefusal("Elector '" + config.instanceId + "' of group '" + config.group + "' is behind a"
                + " transaction- or statement-mode connection pooler (" + evidence + ")"
                + PoolerProbe.why(config.source));
    }
}
