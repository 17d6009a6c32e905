package dev.baton.quartz.internal;

import dev.baton.election.LeaderElector;
import dev.baton.lock.LockClient;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * What {@code JobLockGuard.Builder} collects: the guard's settings and where its locks come from (a data source it
 * opens a lock client on, a caller's lock client, or a leader elector). Not thread-safe.
 */
public final class BuilderSettings {
    private final GuardConfig.Builder config = GuardConfig.builder();
    private final DataSource dataSource; // set only when the guard opens its own lock client
    private final LockClient client;
    private final LeaderElector elector;
    private String instanceId;

    private BuilderSettings(DataSource dataSource, LockClient client, LeaderElector elector) {
        this.dataSource = dataSource;
        this.client = client;
        this.elector = elector;
        if (dataSource != null) {
            config.ledgerDataSource(dataSource);
        }
    }

    public static BuilderSettings of(DataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource must not be null");
        return new BuilderSettings(dataSource, null, null);
    }

    public static BuilderSettings of(LockClient client) {
        Objects.requireNonNull(client, "client must not be null");
        return new BuilderSettings(null, client, null);
    }

    public static BuilderSettings of(LeaderElector elector) {
        Objects.requireNonNull(elector, "elector must not be null");
        return new BuilderSettings(null, null, elector);
    }

    /** The settings every mode shares. */
    public GuardConfig.Builder config() {
        return config;
    }

    public void instanceId(String id) {
        if (dataSource == null) {
            throw new IllegalStateException(
                    "instanceId is the LockClient's or LeaderElector's; set it on their builder");
        }
        this.instanceId = Objects.requireNonNull(id, "instanceId");
    }

    /** Validates the settings; the guard's threads and lock session start when it is registered. */
    public GuardHandle build() {
        if (elector != null) {
            config.leaderElector(elector);
        } else if (client != null) {
            config.lockClient(() -> client, false);
        } else {
            config.ownedLockClient(dataSource, instanceId);
        }
        return GuardHandle.of(new Guard(config.build()));
    }
}
