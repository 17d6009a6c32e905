package dev.baton.election;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Kills the leader's JVM with SIGKILL, {@code baton.killTrials} times (default 20): a candidate in another JVM must
 * take over with a higher term, and leaderships must never overlap, judged by event instants from this host's clock.
 */
@ExtendWith(PostgresExtension.class)
class LeaderElectorKillIT {
    private static final int TRIALS = Integer.getInteger("baton.killTrials", 20);

    private final PostgresServer server;
    private final String group = "kill-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<Child> children = new CopyOnWriteArrayList<>();
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final Map<String, Instant> killedAt = new ConcurrentHashMap<>();
    private int spawned;

    LeaderElectorKillIT(PostgresServer server) {
        this.server = server;
    }

    @AfterEach
    void stopChildren() {
        children.forEach(c -> c.process.destroyForcibly());
    }

    @Test
    @Timeout(240)
    void shouldElectANewLeaderWithoutOverlapEachTimeTheLeaderJvmIsKilled() throws Exception {
        killTrials();
    }

    @Test
    @Tag("measure")
    @Timeout(240)
    void measureTakeoverAfterTheLeaderJvmIsKilled() throws Exception {
        Stats.summary("takeover after SIGKILL of the leader JVM (kill -> successor ELECTED)", killTrials());
    }

    /** Kills the leader's JVM {@code TRIALS} times; returns the takeover times (kill -> successor ELECTED). */
    private List<Double> killTrials() throws Exception {
        for (int i = 0; i < 3; i++) {
            spawn();
        }
        List<Double> takeover = new ArrayList<>();
        for (int trial = 0; trial < TRIALS; trial++) {
            await("a leader and a started candidate")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> leader().isPresent()
                            && children.stream()
                                            .filter(c -> c.started && c.alive())
                                            .count()
                                    >= 2);
            Event leading = leader().orElseThrow();
            Child victim = child(leading.instance);

            Instant kill = Instant.now();
            killedAt.put(victim.id, kill);
            victim.process.destroyForcibly(); // SIGKILL on Linux

            Event next = awaitElectedAfter(leading.term);
            spawn(); // a replacement for the next trial, started after the measurement so its JVM start-up does not
            // compete for the CPU with the takeover being measured
            assertThat(next.instance).isNotEqualTo(victim.id);
            assertThat(next.at).as("new leader elected after the old one died").isAfter(kill);
            takeover.add(Stats.millisBetween(kill, next.at));
        }
        assertNoOverlap();
        return takeover;
    }

    private void assertNoOverlap() {
        List<Event> elected = events.stream()
                .filter(e -> e.type.equals("ELECTED"))
                .sorted(Comparator.comparingLong(e -> e.term))
                .collect(Collectors.toList());
        assertThat(elected.stream().map(e -> e.term).collect(Collectors.toList()))
                .doesNotHaveDuplicates()
                .isSorted();
        for (int i = 1; i < elected.size(); i++) {
            Event previous = elected.get(i - 1);
            Instant previousEnd = events.stream()
                    .filter(e ->
                            e.type.equals("REVOKED") && e.instance.equals(previous.instance) && e.term == previous.term)
                    .map(e -> e.at)
                    .findFirst()
                    .orElse(killedAt.get(previous.instance));
            assertThat(previousEnd).as("end of term %d", previous.term).isNotNull();
            assertThat(elected.get(i).at)
                    .as("term %d starts after term %d ended", elected.get(i).term, previous.term)
                    .isAfter(previousEnd);
        }
    }

    private Event awaitElectedAfter(long term) {
        await("successor of term " + term)
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(2))
                .until(() -> events.stream().anyMatch(e -> e.type.equals("ELECTED") && e.term > term));
        return events.stream()
                .filter(e -> e.type.equals("ELECTED") && e.term > term)
                .findFirst()
                .orElseThrow();
    }

    /** The live child whose latest event is ELECTED. */
    private Optional<Event> leader() {
        return children.stream()
                .filter(Child::alive)
                .map(c -> events.stream()
                        .filter(e -> e.instance.equals(c.id))
                        .reduce((a, b) -> b)
                        .filter(e -> e.type.equals("ELECTED")))
                .flatMap(Optional::stream)
                .findFirst();
    }

    private Child child(String id) {
        return children.stream().filter(c -> c.id.equals(id)).findFirst().orElseThrow();
    }

    private void spawn() throws IOException {
        String id = group + "-" + spawned;
        spawned++;
        Path log = Path.of("target", "elector-children", id + ".log");
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-XX:TieredStopAtLevel=1",
                        "-XX:+UseSerialGC",
                        "-Xshare:auto",
                        "-cp",
                        System.getProperty("java.class.path"),
                        LeaderElectorChild.class.getName(),
                        server.jdbcUrl(),
                        group,
                        id)
                .redirectError(log.toFile())
                .start();
        Child c = new Child(id, p);
        children.add(c);
        Thread reader = new Thread(() -> c.read(events), "kill-it-reader-" + id);
        reader.setDaemon(true);
        reader.start();
    }

    private static final class Event {
        final String instance;
        final String type;
        final long term;
        final Instant at;

        Event(String instance, String type, long term, Instant at) {
            this.instance = instance;
            this.type = type;
            this.term = term;
            this.at = at;
        }
    }

    private static final class Child {
        final String id;
        final Process process;
        volatile boolean started;

        Child(String id, Process process) {
            this.id = id;
            this.process = process;
        }

        boolean alive() {
            return process.isAlive();
        }

        void read(List<Event> sink) {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.equals("STARTED")) {
                        started = true;
                    } else if (line.startsWith("EVENT ")) {
                        String[] f = line.split(" ", -1);
                        sink.add(new Event(id, f[1], Long.parseLong(f[3]), Instant.parse(f[4])));
                    }
                }
            } catch (IOException e) {
                // the process died
            }
        }
    }
}
