package dev.baton.lock;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;

/**
 * A lock holder in its own JVM, for the partition test (run inside a network namespace). Arguments: JDBC URL, lock
 * name, instance id, heartbeat, lossTimeout and serverReleaseAfter in milliseconds. Takes the lock and prints
 * {@code HELD <valid>}; prints {@code LOST <reason> <System.nanoTime()>} when the listener is told. Commands on stdin:
 * {@code PING} (answers {@code PONG <nanoTime>}, to check that both JVMs read one monotonic clock), {@code VALID}
 * ({@code VALID <isValid>}), {@code RETRY <name>} (takes another lock: {@code RECOVERED <valid>} or {@code FAILED
 * <message>}). Ends when stdin closes.
 */
public final class LockPartitionChild {
    private LockPartitionChild() {}

    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        try (LockClient client = LockClient.builder(args[0], props)
                .instanceId(args[2])
                .heartbeatInterval(Duration.ofMillis(Long.parseLong(args[3])))
                .lossTimeout(Duration.ofMillis(Long.parseLong(args[4])))
                .serverReleaseAfter(Duration.ofMillis(Long.parseLong(args[5])))
                .addListener((c, keys, reason, cause) -> print("LOST " + reason + " " + System.nanoTime()))
                .build()) {
            DistributedLock lock = client.lock(args[1]);
            print("HELD " + (lock.tryLock() && lock.isValid()));
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                if (line.equals("PING")) {
                    print("PONG " + System.nanoTime());
                } else if (line.equals("VALID")) {
                    print("VALID " + lock.isValid());
                } else if (line.startsWith("RETRY ")) {
                    try {
                        DistributedLock again = client.lock(line.substring(6));
                        boolean ok = again.tryLock(Duration.ofSeconds(10));
                        print("RECOVERED " + (ok && again.isValid()));
                    } catch (RuntimeException e) {
                        print("FAILED " + e.getMessage().replace('\n', ' '));
                    }
                }
            }
        }
    }

    private static void print(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }
}
