package dev.baton.election;

import java.util.Properties;

/**
 * A leader-election candidate in its own JVM, for tests that kill a process. Prints {@code STARTED} and one line per
 * event ({@code EVENT <type> <reason> <term> <instant>}) to stdout; runs until stdin closes or the process is killed.
 * Arguments: JDBC URL, group, instance id.
 */
public final class LeaderElectorChild {
    private LeaderElectorChild() {}

    public static void main(String[] args) throws Exception {
        LeaderElector elector = LeaderElector.builder(args[0], new Properties(), args[1])
                .instanceId(args[2])
                .addListener(e -> print("EVENT " + e.type() + " " + e.reason() + " " + e.term() + " " + e.at()))
                .build();
        elector.start();
        print("STARTED");
        while (System.in.read() >= 0) {
            // wait for the parent to close stdin
        }
        elector.close();
    }

    private static void print(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }
}
