package dev.baton.examples.demo;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The lines a {@link DemoNode} writes on stdout, one per fact, fields separated by spaces, instants as
 * {@code System.nanoTime()}:
 *
 * <pre>
 * READY   at
 * ELECTED term at
 * REVOKED term at reason
 * WRITE   term at outcome stale      (outcome: accepted, refused, failed)
 * RUN     job fireEpochMs at          (a job run started)
 * DONE    job fireEpochMs at          (it finished)
 * VETO    job fireEpochMs reason      (the guard vetoed this firing here: LOCKED, DUPLICATE, ERROR)
 * BYE     at
 * </pre>
 */
final class NodeProtocol {
    private static final PrintStream OUT = System.out;

    private NodeProtocol() {}

    /** Writes one line atomically (listener, task and Quartz threads all report). */
    static void emit(String kind, Object... fields) {
        String line = kind + " " + Arrays.stream(fields).map(String::valueOf).collect(Collectors.joining(" "));
        synchronized (OUT) {
            OUT.println(line);
            OUT.flush();
        }
    }
}
