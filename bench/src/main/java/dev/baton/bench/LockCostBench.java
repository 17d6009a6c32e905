package dev.baton.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.baton.lock.DistributedLock;
import dev.baton.lock.LockClient;
import dev.baton.lock.LockLease;
import dev.baton.testkit.RecordingDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import javax.sql.DataSource;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.SimpleLock;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import org.springframework.integration.jdbc.lock.DefaultLockRepository;
import org.springframework.integration.jdbc.lock.JdbcLockRegistry;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * Uncontended lock + unlock, every contender in one run, interleaved: Baton's {@code DistributedLock} and
 * {@code LockLease}, the same two statements on a raw JDBC connection (on Baton's own session, and on a connection of
 * its own), {@code SELECT 1} on each of those connections (two connections to one server can answer at different
 * speeds), ShedLock ({@code usingDbTime()}) and Spring Integration's {@code JdbcLockRegistry} over a HikariCP pool,
 * and {@code SELECT 1} through that pool. Each operation is timed on its own; rounds rotate the order so machine
 * noise hits every contender alike. Round trips per operation come from a separate, untimed pass over
 * {@link CountingDataSource}.
 */
final class LockCostBench {
    private LockCostBench() {}

    /** One contender: a name and one operation (lock + unlock, or one query). */
    interface Op {
        void run() throws Exception;
    }

    record Contender(String name, Op op) {}

    /** Everything one set of contenders needs, built over a data source (plain, or counting). */
    static final class Setup implements AutoCloseable {
        final List<Contender> contenders = new ArrayList<>();
        private final List<AutoCloseable> closeables = new ArrayList<>();

        Setup(Bench b, DataSource ds, String suffix) throws Exception {
            List<Connection> sessions = new ArrayList<>();
            LockClient client = LockClient.builder(RecordingDataSource.wrap(ds, sessions))
                    .instanceId("bench-cost" + suffix)
                    .build();
            closeables.add(client);
            DistributedLock lock = client.lock("bench-cost-lock" + suffix);
            lock.tryLock(); // opens the session
            lock.unlock();
            Connection batonSession = sessions.get(0);
            Connection own = ds.getConnection();
            closeables.add(own);
            long key = lock.key().value() + 1; // another key, so neither path sees the other's hold
            PreparedStatement sameTry = batonSession.prepareStatement("SELECT pg_try_advisory_lock(?)");
            PreparedStatement sameUnlock = batonSession.prepareStatement("SELECT pg_advisory_unlock(?)");
            PreparedStatement sameOne = batonSession.prepareStatement("SELECT 1");
            PreparedStatement ownTry = own.prepareStatement("SELECT pg_try_advisory_lock(?)");
            PreparedStatement ownUnlock = own.prepareStatement("SELECT pg_advisory_unlock(?)");
            PreparedStatement ownOne = own.prepareStatement("SELECT 1");

            HikariConfig hc = new HikariConfig();
            hc.setDataSource(ds);
            hc.setMaximumPoolSize(2);
            hc.setPoolName("bench-peers" + suffix);
            HikariDataSource pool = new HikariDataSource(hc);
            closeables.add(pool);
            JdbcTemplateLockProvider shedlock =
                    new JdbcTemplateLockProvider(JdbcTemplateLockProvider.Configuration.builder()
                            .withJdbcTemplate(new JdbcTemplate(pool))
                            .usingDbTime()
                            .build());
            DefaultLockRepository repository = new DefaultLockRepository(pool);
            // What a Spring application context would hand it: the data source's transaction manager.
            repository.setTransactionManager(new DataSourceTransactionManager(pool));
            repository.afterPropertiesSet();
            repository.afterSingletonsInstantiated();
            closeables.add(repository);
            JdbcLockRegistry registry = new JdbcLockRegistry(repository);
            Lock springLock = registry.obtain("bench-cost" + suffix);
            String shedName = "bench-cost" + suffix;

            contenders.add(new Contender("Baton DistributedLock tryLock+unlock", () -> {
                if (!lock.tryLock()) {
                    throw new IllegalStateException("Baton tryLock failed");
                }
                lock.unlock();
            }));
            contenders.add(new Contender("Baton LockLease tryAcquire+release", () -> {
                Optional<LockLease> lease = client.tryAcquire("bench-cost-lease" + suffix);
                lease.orElseThrow(() -> new IllegalStateException("Baton lease refused"))
                        .release();
            }));
            contenders.add(new Contender("raw pair, on Baton's session", () -> {
                sameTry.setLong(1, key);
                Bench.expectTrue(sameTry, "raw try-lock");
                sameUnlock.setLong(1, key);
                Bench.expectTrue(sameUnlock, "raw unlock");
            }));
            contenders.add(new Contender("raw pair, own connection", () -> {
                ownTry.setLong(1, key + 1);
                Bench.expectTrue(ownTry, "raw try-lock");
                ownUnlock.setLong(1, key + 1);
                Bench.expectTrue(ownUnlock, "raw unlock");
            }));
            contenders.add(new Contender(
                    "SELECT 1, on Baton's session", () -> sameOne.executeQuery().close()));
            contenders.add(new Contender(
                    "SELECT 1, own connection", () -> ownOne.executeQuery().close()));
            contenders.add(new Contender("ShedLock lock+unlock (usingDbTime)", () -> {
                Optional<SimpleLock> l = shedlock.lock(
                        new LockConfiguration(Instant.now(), shedName, Duration.ofMinutes(1), Duration.ZERO));
                l.orElseThrow(() -> new IllegalStateException("ShedLock refused"))
                        .unlock();
            }));
            contenders.add(new Contender("Spring JdbcLockRegistry tryLock+unlock", () -> {
                if (!springLock.tryLock(0, TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("Spring tryLock failed");
                }
                springLock.unlock();
            }));
            contenders.add(new Contender("SELECT 1, through the peers' HikariCP pool", () -> {
                try (Connection c = pool.getConnection();
                        PreparedStatement ps = c.prepareStatement("SELECT 1")) {
                    ps.executeQuery().close();
                }
            }));
        }

        @Override
        public void close() throws Exception {
            for (int i = closeables.size() - 1; i >= 0; i--) {
                closeables.get(i).close();
            }
        }
    }

    static void createPeerTables(Bench b) throws Exception {
        b.exec("CREATE TABLE IF NOT EXISTS shedlock(name VARCHAR(64) NOT NULL, lock_until TIMESTAMP NOT NULL,"
                + " locked_at TIMESTAMP NOT NULL, locked_by VARCHAR(255) NOT NULL, PRIMARY KEY (name))");
        b.exec("CREATE TABLE IF NOT EXISTS INT_LOCK (LOCK_KEY CHAR(36) NOT NULL, REGION VARCHAR(100) NOT NULL,"
                + " CLIENT_ID CHAR(36), CREATED_DATE TIMESTAMP NOT NULL, EXPIRED_AFTER TIMESTAMP NOT NULL,"
                + " constraint INT_LOCK_PK primary key (LOCK_KEY, REGION))");
    }

    static Report.Table run(Bench b) throws Exception {
        createPeerTables(b);
        int rounds = b.trials(30, 4);
        int perRound = b.trials(1000, 150);
        double[] trips;
        CountingDataSource counter = new CountingDataSource(b.dataSource());
        try (Setup counting = new Setup(b, counter.dataSource(), "-counted")) {
            trips = countTrips(counter, counting);
        }
        try (Setup s = new Setup(b, b.dataSource(), "")) {
            int n = s.contenders.size();
            for (int w = 0; w < 3; w++) { // warm-up: JIT, and pgjdbc's switch to server-prepared statements
                for (Contender c : s.contenders) {
                    for (int i = 0; i < Math.max(50, perRound / 4); i++) {
                        c.op.run();
                    }
                }
            }
            long[][] samples = new long[n][rounds * perRound];
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < n; k++) {
                    int ci = (k + r) % n; // rotate the order each round
                    Op op = s.contenders.get(ci).op;
                    long[] into = samples[ci];
                    for (int i = 0; i < perRound; i++) {
                        long t0 = System.nanoTime();
                        op.run();
                        into[r * perRound + i] = System.nanoTime() - t0;
                    }
                }
            }
            Stats[] st = new Stats[n];
            for (int i = 0; i < n; i++) {
                st[i] = Stats.ofNanosAsMicros(samples[i], samples[i].length);
            }
            double rawSame = st[2].median();
            double rawOwn = st[3].median();
            Report.Table t = new Report.Table(
                    "lock-cost",
                    "Uncontended lock + unlock",
                    String.format(
                            java.util.Locale.ROOT,
                            "%d interleaved rounds of %d operations per contender, each operation timed on its own."
                                    + " \"vs raw, same conn.\" divides by the raw pair on Baton's own session;"
                                    + " \"vs raw, own conn.\" by the raw pair on a connection of its own. The"
                                    + " `SELECT 1` rows show how fast each connection answers one round trip:"
                                    + " Baton on its session vs the raw pair on its own connection is the"
                                    + " cross-connection ratio. Round trips per operation: JDBC calls that reach"
                                    + " the server (execute, commit, rollback, isValid), counted in a separate"
                                    + " untimed pass. \"Baton − raw, same conn.\" is what Baton adds on the very same"
                                    + " session: Baton sends the same statement text as the raw pair, prepared once"
                                    + " per session and so server-prepared after pgjdbc's `prepareThreshold` (5) like"
                                    + " the raw one, with autocommit on and no per-call `setQueryTimeout` or"
                                    + " `setNetworkTimeout` (only the heartbeat sets those); what remains is the engine"
                                    + " (see the JMH table) and the session's lock.",
                            rounds,
                            perRound),
                    List.of(
                            "contender",
                            "median µs",
                            "p99 µs",
                            "vs raw, same conn.",
                            "vs raw, own conn.",
                            "round trips / op",
                            "Baton − raw, same conn. µs"));
            t.chart("µs per operation", false);
            for (int i = 0; i < n; i++) {
                Contender c = s.contenders.get(i);
                t.row(
                        c.name,
                        st[i].median(),
                        st[i].p99(),
                        st[i].median() / rawSame,
                        st[i].median() / rawOwn,
                        trips[i],
                        st[i].median() - rawSame);
                t.bar(c.name, st[i].median(), st[i].p99());
            }
            return t;
        }
    }

    private static double[] countTrips(CountingDataSource counter, Setup s) throws Exception {
        double[] trips = new double[s.contenders.size()];
        int ops = 50;
        for (int i = 0; i < s.contenders.size(); i++) {
            Op op = s.contenders.get(i).op;
            for (int w = 0; w < 10; w++) {
                op.run();
            }
            long before = counter.trips();
            for (int k = 0; k < ops; k++) {
                op.run();
            }
            trips[i] = (counter.trips() - before) / (double) ops;
        }
        return trips;
    }
}
