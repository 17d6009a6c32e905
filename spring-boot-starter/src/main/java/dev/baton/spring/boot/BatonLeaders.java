package dev.baton.spring.boot;

import dev.baton.election.LeaderElector;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The application's leader electors by group: those the starter builds from {@code baton.leader.groups.<group>} and
 * any {@link LeaderElector} beans of the application's own. The starter starts its own electors when the application
 * is ready and closes them before the {@code DataSource} on shutdown; the application's own electors are its own to
 * start and close.
 *
 * <p>Immutable after construction, so thread-safe; no method blocks.
 */
public final class BatonLeaders {
    private final Map<String, LeaderElector> electors;

    /** Made by the auto-configuration; {@code electors} maps each group to its elector. */
    public BatonLeaders(Map<String, LeaderElector> electors) {
        this.electors = Collections.unmodifiableMap(new LinkedHashMap<>(electors));
    }

    /** The group names, in configuration order. */
    public Set<String> groups() {
        return electors.keySet();
    }

    /** The elector of {@code group}, if there is one. */
    public Optional<LeaderElector> elector(String group) {
        return Optional.ofNullable(electors.get(group));
    }

    /** The elector of {@code group}; throws naming the known groups if there is none. */
    public LeaderElector require(String group) {
        LeaderElector elector = electors.get(Objects.requireNonNull(group, "group"));
        if (elector == null) {
            throw new IllegalArgumentException("No Baton leader group '" + group + "'; known groups: " + groups()
                    + ". Add baton.leader.groups." + group + ".* to the configuration, or fix the name");
        }
        return elector;
    }

    /** Whether this instance leads {@code group} now; false for an unknown group. */
    public boolean isLeader(String group) {
        LeaderElector elector = electors.get(group);
        return elector != null && elector.isLeader();
    }

    /** Every group and its elector, in configuration order. */
    public Map<String, LeaderElector> electors() {
        return electors;
    }
}
