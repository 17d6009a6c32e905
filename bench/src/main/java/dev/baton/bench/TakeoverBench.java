package dev.baton.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/**
 * Leader takeover across JVMs: two candidates of one kind run as child processes ({@link TakeoverChild}); at a random
 * moment after one became leader it is SIGKILLed (or closed, or its backend terminated), and the time from that
 * action to the other child printing {@code LEADER} is one sample. The killed child is replaced before the next
 * trial. Baton's three actions and the raw-SQL baseline are interleaved trial by trial; the peers follow.
 */
final class TakeoverBench {
    private TakeoverBench() {}

    enum Action {
        SIGKILL,
        CLOSE,
        TERMINATE_BACKEND
    }

    /** One child JVM and what it printed. */
    static final class Child {
        final String id;
        final Process process;
        final List<Instant> leaderAt = new CopyOnWriteArrayList<>();
        volatile boolean ready;
        volatile boolean leader;

        Child(String id, Process process) {
            this.id = id;
            this.process = process;
            Thread reader = new Thread(this::read, "bench-takeover-reader-" + id);
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.equals("READY")) {
                        ready = true;
                    } else if (line.startsWith("LEADER ")) {
                        leaderAt.add(Instant.parse(line.substring(7)));
                        leader = true;
                    } else if (line.startsWith("FOLLOWER ")) {
                        leader = false;
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }

        void send(String command) throws IOException {
            OutputStream in = process.getOutputStream();
            in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        }
    }

    /** Two candidates of one kind, replaced as they die. */
    static final class Scenario implements AutoCloseable {
        final String name;
        final List<String> childArgs; // after kind and id
        final String kind;
        final Duration timeout;
        final List<Child> children = new ArrayList<>();
        private int spawned;
        private final String prefix = "bt-" + UUID.randomUUID().toString().substring(0, 6);

        Scenario(String name, String kind, Duration timeout, String... childArgs) {
            this.name = name;
            this.kind = kind;
            this.timeout = timeout;
            this.childArgs = List.of(childArgs);
        }

        Child spawn() throws IOException {
            String id = prefix + "-" + kind + "-" + spawned++;
            Path log = Path.of("bench", "target", "takeover-children", id + ".log");
            Files.createDirectories(log.getParent());
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC",
                    "-Xshare:auto",
                    "-Xmx256m",
                    "-cp",
                    System.getProperty("java.class.path"),
                    TakeoverChild.class.getName(),
                    kind,
                    id));
            cmd.addAll(childArgs);
            Child c = new Child(
                    id, new ProcessBuilder(cmd).redirectError(log.toFile()).start());
            children.add(c);
            return c;
        }

        List<Child> alive() {
            return children.stream().filter(c -> c.process.isAlive()).toList();
        }

        /** One trial: returns the takeover time in ms. */
        double trial(Bench b, Action action) throws Exception {
            while (alive().size() < 2) {
                spawn();
            }
            Child leader = await("a leader among " + kind + " candidates", timeout, () -> alive().stream()
                    .filter(c -> c.leader && c.ready)
                    .findFirst());
            await("a second ready " + kind + " candidate", timeout, () -> alive().stream()
                    .filter(c -> c != leader && c.ready)
                    .findFirst());
            // A random phase relative to the leader's heartbeats and renewals.
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(b.random().nextInt(1000)));
            Instant t0 = Instant.now();
            switch (action) {
                case SIGKILL -> leader.process.destroyForcibly();
                case CLOSE -> leader.send("close");
                case TERMINATE_BACKEND -> {
                    if (b.server().terminate(leader.id) == 0) {
                        throw new IllegalStateException("no backend with application_name " + leader.id);
                    }
                }
            }
            Instant next = await("a new " + kind + " leader after " + action, timeout, () -> alive().stream()
                    .filter(c -> c != leader)
                    .flatMap(c -> c.leaderAt.stream())
                    .filter(at -> at.isAfter(t0))
                    .findFirst());
            if (action == Action.CLOSE) {
                leader.process.getOutputStream().close(); // ends the closed child
                leader.process.waitFor(30, TimeUnit.SECONDS);
            }
            if (action != Action.TERMINATE_BACKEND) {
                leader.process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            return Duration.between(t0, next).toNanos() / 1e6;
        }

        @Override
        public void close() {
            for (Child c : children) {
                c.process.destroyForcibly();
            }
        }
    }

    interface Probe<T> {
        Optional<T> get() throws Exception;
    }

    static <T> T await(String what, Duration timeout, Probe<T> probe) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<T> v = probe.get();
            if (v.isPresent()) {
                return v.get();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200)); // a poll interval, well below the figures
        }
    }

    static Report.Table run(Bench b) throws Exception {
        Report.Table t = new Report.Table(
                "takeover",
                "Leader takeover across JVMs",
                "Two candidates, each in its own JVM; at a random moment (0–1 s) after one became leader it is"
                        + " SIGKILLed, closed (`close()`), or its backend is ended with `pg_terminate_backend`; the"
                        + " time runs from that action to the other JVM's library reporting leadership (wall clock of"
                        + " this host, stamped in each JVM). The raw-SQL baseline is a blocking `pg_advisory_lock`"
                        + " in the waiting JVM after a SIGKILL of the JVM holding it; it and Baton's three rows are"
                        + " interleaved trial by trial. Peers: Spring Integration `LockRegistryLeaderInitiator` on"
                        + " `JdbcLockRegistry` (defaults: TTL 10 s, heartbeat 500 ms); Curator `LeaderLatch` on an"
                        + " in-process ZooKeeper (tickTime 2 s, minSessionTimeout 2 s, maxSessionTimeout 40 s, as"
                        + " ZooKeeper's defaults but for the minimum) with Curator's default session (60 s requested,"
                        + " 40 s granted) and with a 2 s session.",
                List.of("library, action", "trials", "median ms", "p99 ms", "max ms", "vs raw (median)"));
        t.chart("ms from the action to the new leader", true);
        int trials = b.trials(20, 3);
        long key = 5_550_001L;
        Map<String, double[]> results = new java.util.LinkedHashMap<>();
        try (Scenario baton = new Scenario("Baton", "baton", Duration.ofMinutes(1), b.jdbcUrl(), "bench-takeover");
                Scenario raw = new Scenario("raw", "raw", Duration.ofMinutes(1), b.jdbcUrl(), Long.toString(key))) {
            double[] kill = new double[trials];
            double[] close = new double[trials];
            double[] term = new double[trials];
            double[] rawKill = new double[trials];
            for (int i = 0; i < trials; i++) {
                Bench.progress("takeover trial %d/%d (Baton, raw)", i + 1, trials);
                kill[i] = baton.trial(b, Action.SIGKILL);
                rawKill[i] = raw.trial(b, Action.SIGKILL);
                close[i] = baton.trial(b, Action.CLOSE);
                term[i] = baton.trial(b, Action.TERMINATE_BACKEND);
            }
            results.put("raw SQL: waiting pg_advisory_lock, after SIGKILL of the holder", rawKill);
            results.put("Baton LeaderElector, after SIGKILL of the leader", kill);
            results.put("Baton LeaderElector, after close()", close);
            results.put("Baton LeaderElector, after pg_terminate_backend", term);
        }
        b.exec("CREATE TABLE IF NOT EXISTS INT_LOCK (LOCK_KEY CHAR(36) NOT NULL, REGION VARCHAR(100) NOT NULL,"
                + " CLIENT_ID CHAR(36), CREATED_DATE TIMESTAMP NOT NULL, EXPIRED_AFTER TIMESTAMP NOT NULL,"
                + " constraint INT_LOCK_PK primary key (LOCK_KEY, REGION))");
        int springTrials = b.trials(20, 2);
        try (Scenario spring = new Scenario("Spring", "spring", Duration.ofMinutes(1), b.jdbcUrl())) {
            double[] s = new double[springTrials];
            for (int i = 0; i < springTrials; i++) {
                Bench.progress("takeover trial %d/%d (Spring Integration)", i + 1, springTrials);
                s[i] = spring.trial(b, Action.SIGKILL);
            }
            results.put("Spring LockRegistryLeaderInitiator (defaults), after SIGKILL", s);
        }
        InstanceSpec spec = new InstanceSpec(
                null,
                -1,
                -1,
                -1,
                true,
                -1,
                2000,
                -1,
                Map.of("minSessionTimeout", "2000", "maxSessionTimeout", "40000"),
                "127.0.0.1");
        try (TestingServer zk = new TestingServer(spec, true)) {
            for (String session : new String[] {"2000", "default"}) {
                int n = session.equals("default") ? b.trials(20, 1) : b.trials(20, 2);
                try (Scenario curator =
                        new Scenario("Curator", "curator", Duration.ofMinutes(2), zk.getConnectString(), session)) {
                    double[] s = new double[n];
                    for (int i = 0; i < n; i++) {
                        Bench.progress("takeover trial %d/%d (Curator, session %s)", i + 1, n, session);
                        s[i] = curator.trial(b, Action.SIGKILL);
                    }
                    results.put(
                            "Curator LeaderLatch, " + (session.equals("default") ? "default session" : "2 s session")
                                    + ", after SIGKILL",
                            s);
                }
            }
        }
        double rawMedian = Stats.of(results.values().iterator().next()).median();
        for (Map.Entry<String, double[]> e : results.entrySet()) {
            Stats s = Stats.of(e.getValue());
            t.row(e.getKey(), s.count(), s.median(), s.p99(), s.max(), s.median() / rawMedian);
            t.bar(e.getKey(), s.median(), s.p99());
        }
        return t;
    }
}
