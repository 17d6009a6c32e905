package dev.baton.examples;

import dev.baton.lock.LockClient;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * go-pglock's migration lock: every server starting at once runs "migrate" under one lock; the first applies the
 * schema change, the others wait for the lock, then find it applied and do nothing. Waiting is the point here (each
 * server must not start before the schema is ready), so it is {@code run(timeout, ...)}, not a try. Returns how many
 * servers applied it (1).
 */
public final class MigrationLock {
    private MigrationLock() {}

    public static void main(String[] args) throws Exception {
        Example.onEmbeddedPostgres(MigrationLock::run);
    }

    static int run(DataSource dataSource) throws Exception {
        try (Connection c = dataSource.getConnection();
                Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS example_invoice");
        }
        AtomicInteger applied = new AtomicInteger();
        List<Thread> servers = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            String id = "server-" + s;
            Thread t = new Thread(() -> migrate(dataSource, id, applied), id);
            servers.add(t);
            t.start();
        }
        for (Thread t : servers) {
            t.join();
        }
        return applied.get();
    }

    private static void migrate(DataSource dataSource, String id, AtomicInteger applied) {
        try (LockClient client = LockClient.builder(dataSource).instanceId(id).build()) {
            boolean ran = client.lock("schema-migration").run(Duration.ofSeconds(30), () -> {
                try (Connection c = dataSource.getConnection();
                        Statement st = c.createStatement()) {
                    if (tableExists(st)) {
                        Example.say(id + ": schema already migrated");
                    } else {
                        st.execute("CREATE TABLE example_invoice (id bigint PRIMARY KEY, total numeric)");
                        applied.incrementAndGet();
                        Example.say(id + ": applied the migration");
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException("migration failed on " + id, e);
                }
            });
            if (!ran) {
                throw new IllegalStateException(id + " could not take the migration lock within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean tableExists(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT to_regclass('example_invoice') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
