package dev.baton.quartz;

import dev.baton.election.LockClient;
import dev.baton.quartz.internal.GuardConfig;
import dev.baton.quartz.internal.QuartzDataSource;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import javax.sql.DataSource;

/** Settings collected from {@code quartz.properties} setters, validated once Quartz has called them all. */
final class PropertySettings {
    final GuardConfig.Builder builder = GuardConfig.builder();
    String name;
    String dataSource;
    String instanceId;

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
            DataSource ds = new QuartzDataSource(dataSource);
            String id = instanceId;
            builder.name(name);
            builder.ledgerDataSource(ds);
            builder.lockClient(
                    () -> {
                        LockClient.Builder b = LockClient.builder(ds);
                        if (id != null) {
                            b.instanceId(id);
                        }
                        return b.build();
                    },
                    true);
            return builder.build();
        } catch (RuntimeException e) {
            throw new IllegalStateException(where + ": " + e.getMessage(), e);
        }
    }

    static Duration duration(String property, String value) {
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
