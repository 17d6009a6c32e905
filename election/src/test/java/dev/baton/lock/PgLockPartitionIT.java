package dev.baton.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.baton.testkit.Measurements;
import dev.baton.testkit.NetworkPartition;
import dev.baton.testkit.PostgresServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The timing contract for locks under a real partition: a holder in a child JVM inside a network namespace is cut off
 * from the server; it must report its hold in doubt (after {@code lossTimeout}) strictly before the server releases the
 * lock to a client on the host (after {@code serverReleaseAfter}); after the link heals it works again. Root only.
 */
@Timeout(120)
class PgLockPartitionIT {
    private static final long HEARTBEAT_MS = 500;
    private static final long LOSS_TIMEOUT_MS = 2000;
    private static final long SERVER_RELEASE_MS = 4000;

    @Test
    void shouldReportTheHoldInDoubtBeforeTheServerReleasesItAndRecoverAfterTheHeal() throws Exception {
        assumeThat(NetworkPartition.unsupportedReason())
                .as("network partitions need this")
                .isEmpty();
        assumeThat(PostgresServer.shared().isExternal())
                .as("the partition needs a server owned by the test; BATON_TEST_JDBC_URL is set")
                .isFalse();
        try (NetworkPartition partition = NetworkPartition.create();
                PostgresServer server = PostgresServer.builder()
                        .setting("listen_addresses", "127.0.0.1," + partition.hostAddress())
                        .trustHost(partition.childAddress() + "/32")
                        .start()) {
            String url =
                    "jdbc:postgresql://" + partition.hostAddress() + ":" + server.port() + "/postgres?user=postgres";
            Path log = Path.of("target", "lock-children", "partition.log");
            Files.createDirectories(log.getParent());
            Process child = new ProcessBuilder(partition.javaCommand(
                            LockPartitionChild.class.getName(),
                            url,
                            "partition-key",
                            "partition-child",
                            Long.toString(HEARTBEAT_MS),
                            Long.toString(LOSS_TIMEOUT_MS),
                            Long.toString(SERVER_RELEASE_MS)))
                    .redirectError(log.toFile())
                    .start();
            try (Writer toChild = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8);
                    LockClient host = LockClient.builder(server.dataSource())
                            .instanceId("partition-host")
                            .build()) {
                BlockingQueue<String> lines = new LinkedBlockingQueue<>();
                Thread reader = new Thread(() -> read(child, lines), "partition-it-reader");
                reader.setDaemon(true);
                reader.start();
                assertThat(next(lines, "HELD")).as("the child took the lock").isEqualTo("HELD true");

                // System.nanoTime is CLOCK_MONOTONIC on Linux, one clock for every process on the machine: check it.
                long before = System.nanoTime();
                send(toChild, "PING");
                long childNow = Long.parseLong(next(lines, "PONG").split(" ", -1)[1]);
                long after = System.nanoTime();
                assertThat(childNow).as("child's nanoTime between two of ours").isBetween(before, after);

                DistributedLock contender = host.lock("partition-key");
                assertThat(contender.tryLock()).as("the child holds it").isFalse();
                long[] grantedAt = new long[1];
                Thread waiter = new Thread(
                        () -> {
                            try {
                                if (contender.tryLock(Duration.ofSeconds(60))) {
                                    grantedAt[0] = System.nanoTime();
                                    contender.unlock();
                                }
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "partition-it-contender");
                waiter.start();

                long cutAt = System.nanoTime();
                partition.cut();
                String lost = next(lines, "LOST");
                assertThat(lost)
                        .as("the child's listener was told the hold is in doubt")
                        .startsWith("LOST IN_DOUBT ");
                long inDoubtAt = Long.parseLong(lost.split(" ", -1)[2]);
                waiter.join(TimeUnit.SECONDS.toMillis(60));
                assertThat(grantedAt[0])
                        .as("the host got the lock once the server dropped the child")
                        .isNotZero();
                assertThat(inDoubtAt)
                        .as("the child gave the hold up strictly before the host was granted it")
                        .isLessThan(grantedAt[0]);
                Measurements.print(
                        "lock partition (lossTimeout %d ms, serverReleaseAfter %d ms): in doubt %.1f ms after the cut,"
                                + " host granted %.1f ms after the cut, margin %.1f ms (measured under load)",
                        LOSS_TIMEOUT_MS,
                        SERVER_RELEASE_MS,
                        (inDoubtAt - cutAt) / 1e6,
                        (grantedAt[0] - cutAt) / 1e6,
                        (grantedAt[0] - inDoubtAt) / 1e6);
                send(toChild, "VALID");
                assertThat(next(lines, "VALID")).isEqualTo("VALID false");

                partition.heal();
                send(toChild, "RETRY partition-key-2");
                assertThat(next(lines, "RECOVERED", "FAILED"))
                        .as("after the heal the child's client works again")
                        .isEqualTo("RECOVERED true");
            } finally {
                child.destroyForcibly();
                child.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void send(Writer w, String line) throws IOException {
        w.write(line + "\n");
        w.flush();
    }

    /** The next line starting with one of {@code prefixes} (others are skipped), within 60 s. */
    private static String next(BlockingQueue<String> lines, String... prefixes) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (long left; (left = end - System.nanoTime()) > 0; ) {
            String line = lines.poll(left, TimeUnit.NANOSECONDS);
            if (line == null) {
                break;
            }
            for (String p : prefixes) {
                if (line.startsWith(p)) {
                    return line;
                }
            }
        }
        throw new AssertionError("the child printed no line starting with " + String.join("/", prefixes));
    }

    private static void read(Process child, BlockingQueue<String> sink) {
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                sink.add(line);
            }
        } catch (IOException e) {
            sink.add("FAILED reading the child: " + e);
        }
    }
}
