package dev.baton.election;

import static dev.baton.election.LeadershipRecorder.electedAfter;
import static dev.baton.election.LeadershipRecorder.revoked;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import dev.baton.BatonException;
import dev.baton.lock.LockKey;
import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
@Timeout(90)
class LeaderElectorIT {
    private static final int TRIALS = Math.max(Integer.getInteger("baton.trials", 3), 5);

    private final PostgresServer server;
    private final List<LeaderElector> electors = new ArrayList<>();
    private final LeadershipRecorder recorder = new LeadershipRecorder();
    private final String group = "it-" + UUID.randomUUID().toString().substring(0, 8);

    LeaderElectorIT(PostgresServer server) {
        this.server = server;
    }

    @AfterEach
    void closeAll() {
        electors.forEach(LeaderElector::close);
    }

    private LeaderElector.Builder builder(String id) {
        return LeaderElector.builder(server.dataSource(), group)
                .instanceId(group + "-" + id)
                .addListener(recorder)
                .rejoinAfterYield(Duration.ofMillis(100))
                .taskStopTimeout(Duration.ofSeconds(5));
    }

    private LeaderElector started(LeaderElector.Builder b) {
        LeaderElector e = b.build();
        electors.add(e);
        e.start();
        return e;
    }

    private LeaderElector leaderWithWaitingCandidates(List<LeaderElector> es) {
        return WaitingCandidates.leaderOf(server, es);
    }

    private LeaderElector leaderOf(List<LeaderElector> es) {
        await("one leader")
                .atMost(Duration.ofSeconds(20))
                .until(() -> es.stream().filter(LeaderElector::isLeader).count() == 1);
        return es.stream().filter(LeaderElector::isLeader).findFirst().orElseThrow();
    }

    @Nested
    class Election {
        @Test
        void shouldElectExactlyOneOfThreeAndRecordItInTheTermsTable() {
            List<LeaderElector> es = List.of(started(builder("a")), started(builder("b")), started(builder("c")));
            LeaderElector leader = leaderWithWaitingCandidates(es);

            assertThat(recorder.elected()).hasSize(1);
            long term = leader.currentTerm().orElseThrow();
            for (LeaderElector e : es) {
                LeaderInfo info = e.currentLeader().orElseThrow();
                assertThat(info.instanceId()).isEqualTo(leader.instanceId());
                assertThat(info.term()).isEqualTo(term);
            }
            es.stream().filter(e -> e != leader).forEach(e -> assertThat(e.currentTerm())
                    .isEmpty());
        }

        @Test
        void shouldHandOverOnCloseWithRisingTerms() {
            handOversOnClose();
        }

        @Test
        @Tag("measure")
        void measureTakeoverAfterClose() {
            Stats.summary("takeover after close() (close() called -> successor ELECTED)", handOversOnClose());
        }

        /** Closes the leader {@code TRIALS} times; returns the takeover times (close() called -> successor ELECTED). */
        private List<Double> handOversOnClose() {
            List<LeaderElector> es = new ArrayList<>(List.of(started(builder("a")), started(builder("b"))));
            List<Double> takeover = new ArrayList<>();
            long lastTerm = 0;
            for (int i = 0; i < TRIALS; i++) {
                LeaderElector leader = leaderWithWaitingCandidates(es);
                long term = leader.currentTerm().orElseThrow();
                assertThat(term).isGreaterThan(lastTerm);
                lastTerm = term;
                Instant closing = Instant.now();
                leader.close();
                LeadershipEvent next = recorder.awaitEvent("successor of term " + term, electedAfter(term));
                assertThat(next.instanceId()).isNotEqualTo(leader.instanceId());
                LeadershipEvent stopped = recorder.awaitEvent("old leader stopped", revoked(leader.instanceId(), term));
                assertThat(stopped.reason()).isEqualTo(LeadershipEvent.Reason.STOPPED);
                assertThat(next.at()).as("graceful hand-over never overlaps").isAfter(stopped.at());
                takeover.add(Stats.millisBetween(closing, next.at()));
                es.remove(leader);
                es.add(started(builder("n" + i)));
            }
            return takeover;
        }

        /** Not a behaviour test: the same hand-over in raw JDBC, measured in the same run, to read the figures by. */
        @Test
        @Tag("measure")
        void measureRawJdbcHandOverBaseline() throws Exception {
            long key = LockKey.named(group + ":raw").value();
            List<Double> handOver = new ArrayList<>();
            try (java.sql.Connection a = server.connect();
                    java.sql.Connection b = server.connect()) {
                int bPid = queryInt(b, "SELECT pg_backend_pid()");
                for (int i = 0; i < TRIALS; i++) {
                    queryInt(a, "SELECT 1 FROM pg_advisory_lock(" + key + ")");
                    java.util.concurrent.CompletableFuture<Instant> granted =
                            java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                                try {
                                    queryInt(b, "SELECT 1 FROM pg_advisory_lock(" + key + ")");
                                    return Instant.now();
                                } catch (java.sql.SQLException ex) {
                                    throw new IllegalStateException(ex);
                                }
                            });
                    try (java.sql.Connection watcher = server.connect()) {
                        await("raw waiter blocked")
                                .atMost(Duration.ofSeconds(10))
                                .until(() -> queryInt(
                                                watcher,
                                                "SELECT count(*) FROM pg_stat_activity WHERE pid = " + bPid
                                                        + " AND wait_event = 'advisory'")
                                        == 1);
                    }
                    Instant released = Instant.now();
                    queryInt(a, "SELECT 1 FROM pg_advisory_unlock(" + key + ")");
                    handOver.add(Stats.millisBetween(released, granted.get(10, TimeUnit.SECONDS)));
                    queryInt(b, "SELECT 1 FROM pg_advisory_unlock(" + key + ")");
                }
            }
            Stats.summary("baseline: raw JDBC unlock -> blocked waiter granted (same run)", handOver);
        }

        private int queryInt(java.sql.Connection c, String sql) throws java.sql.SQLException {
            try (java.sql.Statement st = c.createStatement();
                    java.sql.ResultSet rs = st.executeQuery(sql)) {
                rs.next();
                return rs.getInt(1);
            }
        }

        @Test
        void shouldHandOverOnYieldAndRejoin() {
            LeaderElector a = started(builder("a"));
            assertThat(leads(a)).isTrue();
            LeaderElector b = started(builder("b"));
            long t1 = a.currentTerm().orElseThrow();

            a.yieldLeadership();

            LeadershipEvent next = recorder.awaitEvent("b elected", electedAfter(t1));
            assertThat(next.instanceId()).isEqualTo(b.instanceId());
            assertThat(recorder.awaitEvent("a revoked", revoked(a.instanceId(), t1))
                            .reason())
                    .isEqualTo(LeadershipEvent.Reason.YIELDED);
            b.close();
            LeadershipEvent again = recorder.awaitEvent("a back", electedAfter(next.term()));
            assertThat(again.instanceId()).isEqualTo(a.instanceId());
        }

        private boolean leads(LeaderElector e) {
            try {
                return e.awaitLeadership(Duration.ofSeconds(20));
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new AssertionError(ex);
            }
        }
    }

    @Nested
    class LossDetection {
        @Test
        void shouldRevokeOnTerminatedBackendInterruptTheTaskAndElectAnother() throws Exception {
            try (java.sql.Connection admin = server.connect()) {
                terminateTrials(admin, new ArrayList<>(), new ArrayList<>());
            }
        }

        @Test
        @Tag("measure")
        void measureNoticeAndTakeoverAfterTerminatedBackend() throws Exception {
            List<Double> notice = new ArrayList<>();
            List<Double> takeover = new ArrayList<>();
            try (java.sql.Connection admin = server.connect()) {
                terminateTrials(admin, notice, takeover);
            }
            Stats.summary("old leader notices pg_terminate_backend (terminate called -> REVOKED)", notice);
            Stats.summary("takeover after pg_terminate_backend (terminate called -> successor ELECTED)", takeover);
        }

        /** Terminates the leader's backend {@code TRIALS} times; adds the times from the terminate call on. */
        private void terminateTrials(java.sql.Connection admin, List<Double> notice, List<Double> takeover)
                throws Exception {
            List<LeaderElector> es = new ArrayList<>();
            List<CountDownLatch> interrupted = new ArrayList<>();
            for (String id : List.of("a", "b")) {
                es.add(started(builder(id).whileLeader(ctx -> {
                    try {
                        new CountDownLatch(1).await();
                    } finally {
                        synchronized (interrupted) {
                            interrupted.add(new CountDownLatch(0));
                        }
                    }
                })));
            }
            for (int i = 0; i < TRIALS; i++) {
                LeaderElector leader = leaderWithWaitingCandidates(es);
                long term = leader.currentTerm().orElseThrow();
                int interruptsBefore = interrupted.size();
                int pid = backendPid(leader.instanceId());
                Instant t0;
                // An already open session, so the figures do not include connecting
                try (java.sql.PreparedStatement ps = admin.prepareStatement("SELECT pg_terminate_backend(?)")) {
                    ps.setInt(1, pid);
                    t0 = Instant.now();
                    try (java.sql.ResultSet rs = ps.executeQuery()) {
                        assertThat(rs.next() && rs.getBoolean(1)).isTrue();
                    }
                }

                LeadershipEvent revokedEvent =
                        recorder.awaitEvent("leader revoked", revoked(leader.instanceId(), term));
                LeadershipEvent next = recorder.awaitEvent("new leader", electedAfter(term));
                assertThat(revokedEvent.reason()).isEqualTo(LeadershipEvent.Reason.CONNECTION_LOST);
                assertThat(next.instanceId()).isNotEqualTo(leader.instanceId());
                await("task interrupted")
                        .atMost(Duration.ofSeconds(10))
                        .until(() -> interrupted.size() > interruptsBefore);
                notice.add(Stats.millisBetween(t0, revokedEvent.at()));
                takeover.add(Stats.millisBetween(t0, next.at()));
            }
        }

        @Test
        void shouldStepDownWhenChecksStallBeforeTheServerCouldReleaseTheLock() throws Exception {
            stepDownOnFrozenBackend();
        }

        @Test
        @Tag("measure")
        void measureStepDownAfterTheBackendFroze() throws Exception {
            Stats.summary(
                    "step-down after the leader's backend froze (SIGSTOP -> REVOKED CHECK_TIMEOUT, stepDownAfter 1 s)",
                    List.of(stepDownOnFrozenBackend()));
        }

        /** Freezes the leader's backend (SIGSTOP); returns the time from the freeze to the step-down. */
        private double stepDownOnFrozenBackend() throws Exception {
            assumeThat(server.isExternal())
                    .as("needs to signal the server's processes")
                    .isFalse();
            CountDownLatch interrupted = new CountDownLatch(1);
            LeaderElector a = started(builder("a")
                    .checkInterval(Duration.ofMillis(200))
                    .stepDownAfter(Duration.ofSeconds(1))
                    .serverReleaseAfter(Duration.ofSeconds(4))
                    .whileLeader(ctx -> {
                        try {
                            new CountDownLatch(1).await();
                        } finally {
                            interrupted.countDown();
                        }
                    }));
            assertThat(a.awaitLeadership(Duration.ofSeconds(20))).isTrue();
            LeaderElector b = started(builder("b"));
            long term = a.currentTerm().orElseThrow();
            int pid = backendPid(a.instanceId());

            // A frozen backend: the leader's checks get no answer, as in a partition, but the lock stays held.
            assumeThat(signal("STOP", pid)).as("cannot signal backend %d", pid).isTrue();
            Instant frozen = Instant.now();
            LeadershipEvent stepDown;
            try {
                stepDown = recorder.awaitEvent("a steps down", revoked(a.instanceId(), term));
                assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(b.isLeader())
                        .as("nobody else can lead while the old session holds the lock")
                        .isFalse();
            } finally {
                signal("CONT", pid);
            }
            assertThat(stepDown.reason()).isEqualTo(LeadershipEvent.Reason.CHECK_TIMEOUT);
            LeadershipEvent next = recorder.awaitEvent("successor", electedAfter(term));
            assertThat(next.at()).isAfter(stepDown.at());
            return Stats.millisBetween(frozen, stepDown.at());
        }

        private int backendPid(String applicationName) throws java.sql.SQLException {
            try (java.sql.Connection c = server.connect();
                    java.sql.PreparedStatement ps =
                            c.prepareStatement("SELECT pid FROM pg_stat_activity WHERE application_name = ?")) {
                ps.setString(1, applicationName);
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).as("session of %s", applicationName).isTrue();
                    return rs.getInt(1);
                }
            }
        }

        private boolean signal(String signal, int pid) throws java.io.IOException, InterruptedException {
            Process p = new ProcessBuilder("kill", "-" + signal, Integer.toString(pid))
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        }
    }

    @Nested
    class Tasks {
        @Test
        void shouldGiveUpLeadershipWhenTheTaskReturnsOrThrowsAndRejoin() {
            int[] runs = {0};
            LeaderElector e = started(builder("a").whileLeader(ctx -> {
                if (++runs[0] % 2 == 0) {
                    throw new IllegalStateException("boom");
                }
            }));
            recorder.awaitEvent(
                    "second term ended",
                    ev -> recorder.of(e.instanceId()).stream()
                                    .filter(r -> r.type() == LeadershipEvent.Type.REVOKED)
                                    .count()
                            >= 2);
            List<LeadershipEvent.Reason> reasons = recorder.of(e.instanceId()).stream()
                    .filter(ev -> ev.type() == LeadershipEvent.Type.REVOKED)
                    .map(LeadershipEvent::reason)
                    .limit(2)
                    .collect(Collectors.toList());
            assertThat(reasons)
                    .containsExactly(LeadershipEvent.Reason.TASK_FINISHED, LeadershipEvent.Reason.TASK_FAILED);
            assertThat(recorder.of(e.instanceId()).get(3).cause()).get().isInstanceOf(IllegalStateException.class);
        }

        @Test
        void shouldKeepLeadershipAfterTheTaskReturnsWhenConfigured() throws InterruptedException {
            CountDownLatch ran = new CountDownLatch(1);
            LeaderElector e = started(builder("a").releaseWhenTaskReturns(false).whileLeader(ctx -> ran.countDown()));
            assertThat(ran.await(20, TimeUnit.SECONDS)).isTrue();
            // ELECTED reaches listeners on the events thread: wait for it rather than race it.
            recorder.awaitEvent("ELECTED", ev -> ev.type() == LeadershipEvent.Type.ELECTED);
            assertThat(e.isLeader()).isTrue();
            assertThat(recorder.events()).hasSize(1);
        }

        @Test
        void closeShouldReturnWithinBoundWhenTheTaskIgnoresInterruption() throws InterruptedException {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            LeaderContext[] context = new LeaderContext[1];
            MetricRegistry registry = new MetricRegistry();
            LeaderElector e = started(builder("a")
                    .metrics(registry)
                    .taskStopTimeout(Duration.ofMillis(300))
                    .whileLeader(ctx -> {
                        context[0] = ctx;
                        started.countDown();
                        while (release.getCount() > 0) {
                            try {
                                release.await();
                            } catch (InterruptedException ignored) {
                                // deliberately ignores interruption
                            }
                        }
                    }));
            LeaderElector b = started(builder("b"));
            try {
                assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
                long t0 = System.nanoTime();
                e.close();
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertThat(tookMs).as("close() bounded by taskStopTimeout").isLessThan(5_000);
                assertThat(registry.counter("baton.leader." + group + ".tasks-ignoring-interrupt")
                                .getCount())
                        .as("reported")
                        .isEqualTo(1);
                assertThat(context[0].isLeader()).isFalse();
                assertThatThrownBy(context[0]::checkLeadership)
                        .isInstanceOf(LeadershipLostException.class)
                        .hasMessageContaining("STOPPED");
                recorder.awaitEvent(
                        "b takes over",
                        ev -> ev.instanceId().equals(b.instanceId()) && ev.type() == LeadershipEvent.Type.ELECTED);
            } finally {
                release.countDown();
            }
        }
    }

    @Nested
    class Listeners {
        @Test
        void shouldDeliverEventsInOrderDespiteAThrowingListener() {
            LeadershipRecorder own = new LeadershipRecorder();
            java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
            LeaderElector e = started(builder("a")
                    .addListener(ev -> threads.add(Thread.currentThread().getName()))
                    .addListener(ev -> {
                        throw new IllegalStateException("listener bug");
                    })
                    .addListener(own));
            for (int i = 1; i <= 4; i++) {
                int n = i;
                own.awaitEvent(
                        "term " + n,
                        ev -> ev.type() == LeadershipEvent.Type.ELECTED
                                && own.elected().size() >= n);
                e.yieldLeadership();
            }
            own.awaitEvent("fifth term", ev -> own.elected().size() >= 5);
            e.close();
            List<LeadershipEvent> events = own.events();
            assertThat(events).hasSize(10);
            for (int i = 0; i < events.size(); i++) {
                assertThat(events.get(i).type())
                        .isEqualTo(i % 2 == 0 ? LeadershipEvent.Type.ELECTED : LeadershipEvent.Type.REVOKED);
                if (i > 0) {
                    assertThat(events.get(i).term())
                            .isGreaterThanOrEqualTo(events.get(i - 1).term());
                    assertThat(events.get(i).at())
                            .isAfterOrEqualTo(events.get(i - 1).at());
                }
            }
            assertThat(events.get(events.size() - 1).reason()).isEqualTo(LeadershipEvent.Reason.STOPPED);
            assertThat(threads).containsExactly("baton-elector-" + group + "-events");
        }
    }

    @Nested
    class Lifecycle {
        @Test
        void shouldCreateItsTableOnceWhenSeveralStartAtOnce() throws Exception {
            String table = "terms_" + group.replace('-', '_');
            List<LeaderElector> es = new ArrayList<>();
            for (String id : List.of("a", "b", "c")) {
                LeaderElector e = builder(id).tableName(table).build();
                electors.add(e);
                es.add(e);
            }
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> starters = new ArrayList<>();
            List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (LeaderElector e : es) {
                Thread t = new Thread(() -> {
                    try {
                        go.await();
                        e.start();
                    } catch (Throwable ex) {
                        failures.add(ex);
                    }
                });
                t.start();
                starters.add(t);
            }
            go.countDown();
            for (Thread t : starters) {
                t.join(30_000);
            }
            assertThat(failures).isEmpty();
            LeaderElector leader = leaderOf(es);
            assertThat(leader.currentLeader().orElseThrow().term() % 1_000_000_000L)
                    .as("the first election of the group on this timeline")
                    .isEqualTo(1);
        }

        @Test
        void shouldFailToStartWhenTheTableIsMissingAndMayNotBeCreated() {
            LeaderElector e =
                    builder("a").tableName("missing_terms").createTable(false).build();
            electors.add(e);
            assertThatThrownBy(e::start)
                    .isInstanceOf(BatonException.class)
                    .hasMessageContaining("missing_terms does not exist")
                    .hasMessageContaining("docs/sql/baton_leader_terms.sql");
            assertThat(recorder.events()).isEmpty();
        }

        @Test
        void shouldCloseFromItsOwnTaskAndFromAListener() throws InterruptedException {
            CountDownLatch closedFromTask = new CountDownLatch(1);
            LeaderElector[] self = new LeaderElector[1];
            self[0] = started(builder("a").whileLeader(ctx -> {
                self[0].close();
                closedFromTask.countDown();
            }));
            assertThat(closedFromTask.await(20, TimeUnit.SECONDS)).isTrue();
            recorder.awaitEvent("stopped", ev -> ev.reason() == LeadershipEvent.Reason.STOPPED);

            LeadershipRecorder own = new LeadershipRecorder();
            LeaderElector[] other = new LeaderElector[1];
            other[0] = started(builder("b")
                    .addListener(ev -> {
                        if (ev.type() == LeadershipEvent.Type.ELECTED) {
                            other[0].close();
                        }
                    })
                    .addListener(own));
            own.awaitEvent("stopped from a listener", ev -> ev.reason() == LeadershipEvent.Reason.STOPPED);
            assertThat(other[0].isLeader()).isFalse();
            assertThat(own.events())
                    .extracting(LeadershipEvent::type)
                    .containsExactly(LeadershipEvent.Type.ELECTED, LeadershipEvent.Type.REVOKED);
        }

        @Test
        void currentLeaderShouldBeEmptyOnceNobodyHoldsTheLock() {
            LeaderElector a = started(builder("a"));
            leaderOf(List.of(a));
            assertThat(a.currentLeader()).isPresent();
            a.close();
            LeaderElector b = builder("b").build(); // never started: a reader only
            electors.add(b);
            assertThat(b.currentLeader()).isEmpty();
        }
    }

    @Test
    void shouldPublishMetrics() {
        MetricRegistry registry = new MetricRegistry();
        LeaderElector e = started(builder("a").metrics(registry).checkInterval(Duration.ofMillis(50)));
        String prefix = "baton.leader." + group + ".";
        await("a check")
                .atMost(Duration.ofSeconds(20))
                .until(() -> registry.timer(prefix + "check-latency").getCount() > 0);
        assertThat(registry.getGauges().get(prefix + "is-leader").getValue()).isEqualTo(1);
        assertThat(registry.getGauges().get(prefix + "term").getValue())
                .isEqualTo(e.currentTerm().orElseThrow());
        assertThat(registry.timer(prefix + "time-to-acquire").getCount()).isEqualTo(1);
        assertThat(registry.counter(prefix + "elections").getCount()).isEqualTo(1);
        e.yieldLeadership();
        await("yield counted")
                .atMost(Duration.ofSeconds(20))
                .until(() -> registry.counter(prefix + "revocations.YIELDED").getCount() == 1);
    }

    @Test
    void shouldRefuseToStartTwice() {
        LeaderElector e = started(builder("a"));
        assertThatThrownBy(e::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Cannot be started more than once");
    }
}
