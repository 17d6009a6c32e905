package dev.baton.examples;

import dev.baton.testkit.PostgresServer;
import javax.sql.DataSource;

/**
 * One runnable example: its {@code main} starts a throwaway PostgreSQL and runs it; the build's smoke test
 * ({@code ExamplesIT}) runs each against a shared server. Several "servers" of a scenario are several
 * {@code LockClient}s in one JVM: each has its own PostgreSQL session, exactly as separate processes would.
 */
@FunctionalInterface
interface Example {
    void run(DataSource dataSource) throws Exception;

    /** Runs {@code example} on a throwaway PostgreSQL, deleted afterwards. */
    static void onEmbeddedPostgres(Example example) throws Exception {
        try (PostgresServer server = PostgresServer.builder().start()) {
            example.run(server.dataSource());
        }
    }

    static void say(String line) {
        System.out.println(line);
    }
}
