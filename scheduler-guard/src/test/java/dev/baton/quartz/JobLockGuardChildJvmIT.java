package dev.baton.quartz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Three child JVMs run the same jobs; one is killed with SIGKILL mid-run. */
@ExtendWith(PostgresExtension.class)
class JobLockGuardChildJvmIT {
    private static final String RUNS = "runs_kill";
    private static final String LEDGER = "firings_kill";

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void shouldNeverRunAFiringTwiceAndKeepRunningOnSurvivorsAfterAKill(PostgresServer server) throws Exception {
        Db.createRuns(RUNS);
        Db.exec("DROP TABLE IF EXISTS " + LEDGER);
        Map<String, Process> nodes = new LinkedHashMap<>();
        CountDownLatch ready = new CountDownLatch(3);
        try {
            for (int i = 0; i < 3; i++) {
                String name = "child-" + i;
                Process p = new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java")
                                        .toString(),
                                "-Xmx96m",
                                "-XX:TieredStopAtLevel=1",
                                "-cp",
                                System.getProperty("java.class.path"),
                                GuardNodeMain.class.getName(),
                                server.jdbcUrl(),
                                name,
                                RUNS,
                                LEDGER)
                        .redirectErrorStream(true)
                        .start();
                nodes.put(name, p);
                Thread reader = new Thread(() -> pump(name, p, ready), "pump-" + name);
                reader.setDaemon(true);
                reader.start();
            }
            assertThat(ready.await(90, TimeUnit.SECONDS)).as("child JVMs ready").isTrue();

            Instant from = Schedulers.wholeSecondAfter(1_000);
            Instant killAfter = from.plusSeconds(3);
            await("a run in progress after " + killAfter)
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> !inProgress(killAfter).isEmpty());
            String[] victim = inProgress(killAfter).get(0).split(" ", 3);
            nodes.get(victim[0]).destroyForcibly(); // SIGKILL
            assertThat(nodes.get(victim[0]).waitFor(10, TimeUnit.SECONDS)).isTrue();
            Instant killedAt = Instant.now();

            Instant to = Schedulers.wholeSecondAfter(6_000);
            await("survivors run the firings after the kill")
                    .atMost(Duration.ofSeconds(40))
                    .until(() -> Db.count(
                                    "SELECT count(*) FROM " + RUNS + " WHERE scheduled_fire_time = ?",
                                    OffsetDateTime.ofInstant(to, ZoneOffset.UTC))
                            == 2);

            Set<Instant> expected = Schedulers.fireTimes(from, to);
            Map<String, Map<Instant, Integer>> runs = Db.runsByFiring(RUNS);
            // A firing the victim had claimed in the ledger but whose job had not written its row yet when the
            // SIGKILL came was started there and died with it: ABANDONED, not lost (requestsRecovery would re-run it).
            List<String> abandoned = Db.strings(
                    "SELECT split_part(job_key, '.', 2) || ' ' || (extract(epoch FROM scheduled_fire_time) * 1000)::bigint"
                            + " FROM " + LEDGER
                            + " WHERE instance_id = ? AND outcome = 'ABANDONED'",
                    victim[0]);
            int duplicates = 0;
            int lost = 0;
            int diedBeforeItsRow = 0;
            for (String job : List.of("a", "b")) {
                for (Instant t : expected) {
                    int n = runs.get(job).getOrDefault(t, 0);
                    duplicates += Math.max(0, n - 1);
                    boolean claimedByVictim = abandoned.contains(job + " " + t.toEpochMilli());
                    if (n == 0 && claimedByVictim) {
                        diedBeforeItsRow++;
                    } else if (n == 0) {
                        lost++;
                    }
                    if (t.isAfter(killedAt)) {
                        assertThat(n)
                                .as("%s at %s, after the kill, runs once on a survivor", job, t)
                                .isEqualTo(1);
                    }
                }
            }
            assertThat(duplicates).as("no firing ran twice").isZero();
            assertThat(lost).as("no firing lost").isZero();
            assertThat(Db.count(
                            "SELECT count(*) FROM " + RUNS + " WHERE instance = ? AND scheduled_fire_time > ?",
                            victim[0],
                            OffsetDateTime.ofInstant(killedAt, ZoneOffset.UTC)))
                    .as("nothing ran on the killed node afterwards")
                    .isZero();
            long unfinished =
                    Db.count("SELECT count(*) FROM " + RUNS + " WHERE instance = ? AND finished_at IS NULL", victim[0]);
            assertThat(unfinished).as("the victim was killed mid-run").isPositive();
            assertThat((long) abandoned.size())
                    .as("each firing the killed node left unfinished was found abandoned")
                    .isEqualTo(unfinished + diedBeforeItsRow);
        } finally {
            for (Process p : nodes.values()) {
                p.getOutputStream().close(); // graceful: the child shuts its scheduler down
            }
            for (Process p : nodes.values()) {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    /** "instance job time" of runs started after {@code after} and not finished. */
    private static List<String> inProgress(Instant after) {
        return new ArrayList<>(Db.strings(
                "SELECT instance || ' ' || job || ' ' || scheduled_fire_time FROM " + RUNS
                        + " WHERE finished_at IS NULL AND scheduled_fire_time >= ? ORDER BY scheduled_fire_time",
                OffsetDateTime.ofInstant(after, ZoneOffset.UTC)));
    }

    private static void pump(String name, Process p, CountDownLatch ready) {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("READY")) {
                    ready.countDown();
                }
                if (line.contains("ERROR") || line.contains("WARN") || line.startsWith("READY")) {
                    System.out.println("[" + name + "] " + line);
                }
            }
        } catch (java.io.IOException e) {
            // the process is gone
        }
    }
}
