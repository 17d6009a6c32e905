package dev.baton.quartz.internal;

import java.time.Duration;
import java.time.format.DateTimeParseException;

/**
 * Settings collected from the {@code quartz.properties} setters of {@code JobLockGuard}, validated once Quartz has
 * called them all (a setter cannot see the ones Quartz calls after it). Not thread-safe; the guard serialises calls.
 */
public final class PropertySettings {
    private final GuardConfig.Builder builder = GuardConfig.builder();
    private String name;
    private String dataSource;
    private String instanceId;

    public String name() {
        return name;
    }

    public void name(String value) {
        this.name = value;
    }

    public void dataSource(String dataSourceName) {
        this.dataSource = dataSourceName;
    }

    public void instanceId(String value) {
        this.instanceId = value;
    }

    public void lockPrefix(String prefix) {
        builder.lockPrefix(prefix);
    }

    public void ledger(boolean enabled) {
        builder.ledger(enabled);
    }

    public void ledgerTable(String table) {
        builder.ledgerTable(table);
    }

    public void createLedgerTable(boolean create) {
        builder.createTable(create);
    }

    public void ledgerRetention(String value) {
        builder.retention(duration("ledgerRetention", value));
    }

    public void ledgerPurgeInterval(String value) {
        builder.purgeInterval(duration("ledgerPurgeInterval", value));
    }

    public void operationTimeout(String value) {
        builder.operationTimeout(duration("operationTimeout", value));
    }

    GuardConfig build() {
        String where = "JobLockGuard '" + name + "' in quartz.properties (org.quartz.triggerListener." + name + ".*)";
        if (name == null || name.isBlank()) {
            throw new IllegalStateException(
                    "JobLockGuard has no name; configure it as org.quartz.triggerListener.NAME");
        }
        if (dataSource == null || dataSource.isBlank()) {
            throw new IllegalStateException(where + " needs the name of a Quartz data source: set org.quartz"
                    + ".triggerListener." + name + ".dataSource = NAME of an org.quartz.dataSource.NAME.* entry");
        }
        if (Boolean.FALSE.equals(QuartzDataSource.exists(dataSource))) {
            throw new IllegalStateException(where + " names data source '" + dataSource + "', but Quartz has no"
                    + " org.quartz.dataSource." + dataSource + ".* configured");
        }
        try {
            QuartzDataSource ds = new QuartzDataSource(dataSource);
            builder.name(name);
            builder.ledgerDataSource(ds);
            builder.ownedLockClient(ds, instanceId);
            return builder.build();
        } catch (RuntimeException e) {
            throw new IllegalStateException(where + ": " + e.getMessage(), e);
        }
    }

    private static Duration duration(String property, String value) {
        try {
            return Duration.parse(value);
        } catch (DateTimeParseException | NullPointerException e) {
            throw new IllegalArgumentException(
                    "JobLockGuard property " + property + " must be an ISO-8601 duration"
                            + " such as P7D or PT1H, got '" + value + "'",
                    e);
        }
    }
}
