package dev.baton.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.testkit.Measurements;
import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Waiting across sessions: prompt wake-up, timeouts racing grants, interrupts of native waits. */
@ExtendWith(PostgresExtension.class)
@Timeout(120)
class PgLockRaceIT {

    @Test
    void shouldNeverLeaveAStrayLockWhenATimeoutRacesTheGrant(PostgresServer server) throws Exception {
        int trials = 150;
        try (LockClient holder = LockClient.builder(server.dataSource())
                        .instanceId("race-holder")
                        .build();
                LockClient waiter = LockClient.builder(server.dataSource())
                        .instanceId("race-waiter")
                        .build();
                OnThread holderThread = new OnThread("race-holder");
                OnThread waiterThread = new OnThread("race-waiter")) {
            DistributedLock held = holder.lock("race-key");
            DistributedLock wanted = waiter.lock("race-key");
            for (int i = 0; i < trials; i++) {
                holderThread.run(held::lock);
                int timeoutMs = ThreadLocalRandom.current().nextInt(1, 8);
                Future<Boolean> attempt = waiterThread.submit(() -> wanted.tryLock(Duration.ofMillis(timeoutMs)));
                // Release at about the moment the waiter gives up, so that grant and timeout race.
                long releaseAfterNanos = ThreadLocalRandom.current().nextLong(0, 8_000_000);
                holderThread.run(() -> {
                    long until = System.nanoTime() + releaseAfterNanos;
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                    held.unlock();
                });
                boolean got = attempt.get(30, TimeUnit.SECONDS);
                if (got) {
                    assertThat(heldBy(server, "race-waiter")).isEqualTo(1);
                    waiterThread.run(wanted::unlock);
                }
                // Whatever the outcome, nothing of ours may remain: neither on the lock session nor a waiter.
                int stray = heldBy(server, "race-waiter");
                assertThat(stray)
                        .as("trial %d (got=%s)%s", i, got, stray == 0 ? "" : ", locks: " + dump(server))
                        .isZero();
            }
        }
    }

    @Test
    void shouldCancelTheNativeWaitWhenInterrupted(PostgresServer server) throws Exception {
        try (LockClient holder = LockClient.builder(server.dataSource())
                        .instanceId("intr-holder")
                        .build();
                LockClient waiter = LockClient.builder(server.dataSource())
                        .instanceId("intr-waiter")
                        .build();
                Connection observer = server.connect()) {
            holder.lock("intr-key").lock();
            CountDownLatch started = new CountDownLatch(1);
            Thread[] thread = new Thread[1];
            try (OnThread waiting = new OnThread("intr-waiter")) {
                Future<String> outcome = waiting.submit(() -> {
                    thread[0] = Thread.currentThread();
                    started.countDown();
                    try {
                        waiter.lock("intr-key").lockInterruptibly();
                        return "acquired";
                    } catch (InterruptedException e) {
                        return "interrupted";
                    }
                });
                started.await();
                PgLockMatrixIT.awaitWaiting(observer, "intr-key");
                thread[0].interrupt();
                assertThat(outcome.get(30, TimeUnit.SECONDS)).isEqualTo("interrupted");
            }
            await("the server-side wait is cancelled")
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> waitingSessions(observer, "intr-waiter") == 0);
            holder.lock("intr-key").unlock();
            assertThat(heldBy(server, "intr-waiter")).isZero();
        }
    }

    @Test
    void shouldWakeAWaiterOnAReleaseByAnotherClient(PostgresServer server) throws Exception {
        wakeAfterReleases(server, 5);
    }

    @Test
    @Tag("measure")
    void measureWakeAfterAReleaseByAnotherClient(PostgresServer server) throws Exception {
        Measurements.printMillis("release by another client -> waiter holds it", wakeAfterReleases(server, 30));
    }

    /** Releases {@code n} keys a waiter of another client waits on; returns release -> waiter holds it, in ms. */
    private static List<Double> wakeAfterReleases(PostgresServer server, int n) throws Exception {
        List<Double> wakeMs = new ArrayList<>();
        try (LockClient a = LockClient.builder(server.dataSource())
                        .instanceId("wake-a")
                        .build();
                LockClient b = LockClient.builder(server.dataSource())
                        .instanceId("wake-b")
                        .build();
                Connection observer = server.connect();
                OnThread holderThread = new OnThread("wake-holder");
                OnThread waiterThread = new OnThread("wake-waiter")) {
            for (int i = 0; i < n; i++) {
                String name = "wake-" + i;
                holderThread.run(() -> a.lock(name).lock());
                Future<Long> woke = waiterThread.submit(() -> {
                    boolean got = b.lock(name).tryLock(Duration.ofSeconds(30));
                    long at = System.nanoTime();
                    if (got) {
                        b.lock(name).unlock();
                    }
                    return got ? at : -1L;
                });
                PgLockMatrixIT.awaitWaiting(observer, name);
                long released = holderThread.call(() -> {
                    long t = System.nanoTime();
                    a.lock(name).unlock();
                    return t;
                });
                long at = woke.get(30, TimeUnit.SECONDS);
                assertThat(at).as("waiter %d acquired", i).isPositive();
                wakeMs.add((at - released) / 1e6);
            }
        }
        return wakeMs;
    }

    private static int heldBy(PostgresServer server, String applicationNamePrefix) throws Exception {
        try (Connection c = server.connect();
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a"
                        + " ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted"
                        + " AND a.application_name LIKE ?")) {
            ps.setString(1, applicationNamePrefix + "%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static String dump(PostgresServer server) throws Exception {
        try (Connection c = server.connect();
                PreparedStatement ps = c.prepareStatement("SELECT l.pid, l.mode, l.granted, a.state, a.query,"
                        + " a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                        + " WHERE l.locktype = 'advisory'")) {
            StringBuilder sb = new StringBuilder();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sb.append(rs.getInt(1))
                            .append(' ')
                            .append(rs.getString(2))
                            .append(' ')
                            .append(rs.getBoolean(3))
                            .append(' ')
                            .append(rs.getString(4))
                            .append(" [")
                            .append(rs.getString(5))
                            .append("] ")
                            .append(rs.getString(6))
                            .append(" | ");
                }
            }
            return sb.toString();
        }
    }

    private static int waitingSessions(Connection observer, String applicationName) throws Exception {
        try (PreparedStatement ps = observer.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity" + " WHERE wait_event_type = 'Lock' AND application_name = ?")) {
            ps.setString(1, applicationName);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
