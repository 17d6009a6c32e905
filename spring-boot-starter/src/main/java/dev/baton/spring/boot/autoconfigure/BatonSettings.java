package dev.baton.spring.boot.autoconfigure;

import dev.baton.election.LeaderElector;
import java.time.Duration;
import java.util.function.Consumer;

/** Applies properties to Baton's builders, turning a builder's refusal into a message that names the property. */
final class BatonSettings {
    private BatonSettings() {}

    /** Runs {@code setter}; an {@link IllegalArgumentException} from it is rethrown naming {@code property}. */
    static void apply(String property, Runnable setter) {
        try {
            setter.run();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid " + property + ": " + e.getMessage(), e);
        }
    }

    /** Applies a group's settings to its elector's builder. */
    static void group(String group, BatonProperties.Group g, LeaderElector.Builder b) {
        String p = "baton.leader.groups." + group + ".";
        duration(p + "check-interval", g.getCheckInterval(), b::checkInterval);
        duration(p + "step-down-after", g.getStepDownAfter(), b::stepDownAfter);
        duration(p + "server-release-after", g.getServerReleaseAfter(), b::serverReleaseAfter);
        duration(p + "lock-wait-timeout", g.getLockWaitTimeout(), b::lockWaitTimeout);
        duration(p + "rejoin-after-yield", g.getRejoinAfterYield(), b::rejoinAfterYield);
        duration(p + "task-stop-timeout", g.getTaskStopTimeout(), b::taskStopTimeout);
        duration(p + "max-reconnect-backoff", g.getMaxReconnectBackoff(), b::maxReconnectBackoff);
        Duration stepDown = g.getStepDownAfter() != null ? g.getStepDownAfter() : Duration.ofSeconds(5);
        Duration release = g.getServerReleaseAfter() != null ? g.getServerReleaseAfter() : Duration.ofSeconds(10);
        if (stepDown.compareTo(release) >= 0) {
            throw new IllegalArgumentException(p + "step-down-after (" + stepDown + ") must be less than " + p
                    + "server-release-after (" + release + "): the leader must stop before the server can hand the"
                    + " lock to another instance. Lower step-down-after or raise server-release-after");
        }
        b.releaseWhenTaskReturns(g.isReleaseWhenTaskReturns());
        if (g.getTableName() != null) {
            apply(p + "table-name", () -> b.tableName(g.getTableName()));
        }
        b.createTable(g.isCreateTable());
    }

    /** Builds an elector; a refused combination is reported with the group's property prefix. */
    static LeaderElector build(String group, LeaderElector.Builder builder) {
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid baton.leader.groups." + group + ".*: " + e.getMessage(), e);
        }
    }

    private static void duration(String property, Duration value, Consumer<Duration> setter) {
        if (value == null) {
            return;
        }
        if (value.isNegative()) {
            throw new IllegalArgumentException(
                    property + " must not be negative, got " + value + "; give a positive duration such as 5s");
        }
        apply(property, () -> setter.accept(value));
    }
}
