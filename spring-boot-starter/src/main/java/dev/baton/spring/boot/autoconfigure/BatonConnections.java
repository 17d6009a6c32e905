package dev.baton.spring.boot.autoconfigure;

import dev.baton.election.LeaderElector;
import dev.baton.lock.LockClient;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * Where Baton's sessions come from: a dedicated JDBC URL ({@code baton.datasource.url}), preferred because the lock
 * session then takes no pool slot and passes no pooler, else the application's {@code DataSource}. Immutable.
 */
final class BatonConnections {
    private final String url;
    private final Properties properties;
    private final DataSource dataSource;

    private BatonConnections(String url, Properties properties, DataSource dataSource) {
        this.url = url;
        this.properties = properties;
        this.dataSource = dataSource;
    }

    static BatonConnections of(BatonProperties.Datasource dedicated, DataSource applicationDataSource) {
        if (dedicated.getUrl() != null && !dedicated.getUrl().isBlank()) {
            if (!dedicated.getUrl().startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("baton.datasource.url must be a PostgreSQL JDBC URL"
                        + " (jdbc:postgresql://host:port/db), got '" + dedicated.getUrl() + "'");
            }
            Properties props = new Properties();
            if (dedicated.getUsername() != null) {
                props.setProperty("user", dedicated.getUsername());
            }
            if (dedicated.getPassword() != null) {
                props.setProperty("password", dedicated.getPassword());
            }
            return new BatonConnections(dedicated.getUrl(), props, applicationDataSource);
        }
        if (applicationDataSource == null) {
            throw new IllegalStateException("Baton needs a PostgreSQL connection: define a single DataSource bean"
                    + " (spring.datasource.*) or set baton.datasource.url; or turn Baton off with baton.enabled=false");
        }
        return new BatonConnections(null, null, applicationDataSource);
    }

    /** Whether Baton's sessions come from {@code baton.datasource.url}. */
    boolean dedicated() {
        return url != null;
    }

    /** The application's DataSource, or null when there is none (only {@code baton.datasource.url}). */
    DataSource applicationDataSource() {
        return dataSource;
    }

    LockClient.Builder lockClient() {
        return dedicated() ? LockClient.builder(url, properties) : LockClient.builder(dataSource);
    }

    LeaderElector.Builder elector(String group) {
        return dedicated() ? LeaderElector.builder(url, properties, group) : LeaderElector.builder(dataSource, group);
    }

    /** What to tell a user whose sessions failed to open, by where they came from. */
    String advice() {
        return dedicated()
                ? "check baton.datasource.url: it must reach the primary directly (no transaction-mode pooler, no"
                        + " standby)"
                : "if the application's DataSource goes through a transaction-mode pooler (PgBouncer"
                        + " pool_mode=transaction) or to a standby, set baton.datasource.url (and username/password)"
                        + " to a direct connection to the primary";
    }
}
