package dev.baton.examples;

import dev.baton.testkit.PostgresServer;

/**
 * Starts a throwaway PostgreSQL and shows, in three short acts, what Baton gives a service that runs as several
 * instances: a lock two instances contend for, a leader election with a hand-over, and Quartz jobs that fire on every
 * instance but run once per firing.
 */
public final class Demo {
    private Demo() {}

    public static void main(String[] args) throws Exception {
        try (PostgresServer server = PostgresServer.builder().start()) {
            say("demo", "PostgreSQL is up at " + server.jdbcUrl());
            DemoLocks.run(server);
            DemoElection.run(server);
            DemoQuartz.run(server);
        }
        say("demo", "done: everything closed, server stopped and deleted");
    }

    static void say(String act, String line) {
        System.out.println("[" + act + "] " + line);
    }
}
