package dev.baton.spring.boot.autoconfigure;

import dev.baton.election.LeaderElector;
import java.util.List;
import java.util.Map;

/**
 * Every group's elector, and which of them the starter built (and so starts and closes). Immutable.
 *
 * @param all every group's elector, the application's own included
 * @param owned the electors the starter built from {@code baton.leader.groups}
 */
record BatonElectors(Map<String, LeaderElector> all, List<LeaderElector> owned) {
    BatonElectors {
        all = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(all)); // keeps the order
        owned = List.copyOf(owned);
    }
}
