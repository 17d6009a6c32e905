package dev.baton.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.baton.election.LeaderElector;
import dev.baton.election.LeadershipEvent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.Properties;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.integration.jdbc.lock.DefaultLockRepository;
import org.springframework.integration.jdbc.lock.JdbcLockRegistry;
import org.springframework.integration.leader.Context;
import org.springframework.integration.leader.DefaultCandidate;
import org.springframework.integration.support.leader.LockRegistryLeaderInitiator;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * One leader candidate in its own JVM, for {@link TakeoverBench}. Prints {@code READY}, then {@code LEADER <instant>}
 * when it becomes leader and {@code FOLLOWER <instant>} when it stops being one, each stamped with the host's clock
 * the moment the library told it. Reads commands on stdin: {@code close} closes the candidate cleanly; end of input
 * ends the process. Arguments: kind ({@code baton}, {@code raw}, {@code spring}, {@code curator}), id, then per kind:
 * JDBC URL and group (baton, raw: the key), JDBC URL (spring), connect string and session ms or "default" (curator).
 */
public final class TakeoverChild {
    private TakeoverChild() {}

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        String id = args[1];
        AutoCloseable candidate =
                switch (kind) {
                    case "baton" -> baton(args[2], args[3], id);
                    case "raw" -> raw(args[2], Long.parseLong(args[3]), id);
                    case "spring" -> spring(args[2], id);
                    case "curator" -> curator(args[2], args[3], id);
                    default ->
                        throw new IllegalArgumentException(
                                "unknown kind '" + kind + "': use baton, raw, spring or curator");
                };
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("close")) {
                candidate.close();
                print("CLOSED " + Instant.now());
            }
        }
        candidate.close();
    }

    private static AutoCloseable baton(String url, String group, String id) {
        LeaderElector elector = LeaderElector.builder(url, new Properties(), group)
                .instanceId(id)
                .addListener(e -> {
                    if (e.type() == LeadershipEvent.Type.ELECTED) {
                        print("LEADER " + Instant.now());
                    } else if (e.type() == LeadershipEvent.Type.REVOKED) {
                        print("FOLLOWER " + Instant.now());
                    }
                })
                .build();
        elector.start();
        print("READY");
        return elector;
    }

    /** The baseline: a blocking {@code pg_advisory_lock} on a plain connection, what any raw-SQL user would write. */
    private static AutoCloseable raw(String url, long key, String id) throws Exception {
        Properties p = new Properties();
        p.setProperty("ApplicationName", id);
        Connection c = DriverManager.getConnection(url, p);
        print("READY");
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_lock(?)")) {
            ps.setLong(1, key);
            ps.executeQuery().close();
        }
        print("LEADER " + Instant.now());
        return c;
    }

    /** Spring Integration's leader initiator over its JDBC lock registry, with their defaults. */
    private static AutoCloseable spring(String url, String id) throws Exception {
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setUrl(url);
        pg.setApplicationName(id);
        HikariConfig hc = new HikariConfig();
        hc.setDataSource(pg);
        hc.setMaximumPoolSize(2);
        HikariDataSource pool = new HikariDataSource(hc);
        DefaultLockRepository repository = new DefaultLockRepository(pool, id);
        // What a Spring application context would hand it: the data source's transaction manager.
        repository.setTransactionManager(new DataSourceTransactionManager(pool));
        repository.afterPropertiesSet();
        repository.afterSingletonsInstantiated();
        JdbcLockRegistry registry = new JdbcLockRegistry(repository);
        LockRegistryLeaderInitiator initiator =
                new LockRegistryLeaderInitiator(registry, new DefaultCandidate(id, "bench-takeover") {
                    @Override
                    public void onGranted(Context ctx) {
                        print("LEADER " + Instant.now());
                    }

                    @Override
                    public void onRevoked(Context ctx) {
                        print("FOLLOWER " + Instant.now());
                    }
                });
        initiator.start();
        print("READY");
        return () -> {
            initiator.stop();
            initiator.destroy();
            pool.close();
        };
    }

    /** Curator's LeaderLatch; "default" keeps Curator's default session (60 s, clamped by the server). */
    private static AutoCloseable curator(String connect, String sessionMs, String id) throws Exception {
        CuratorFramework zk = sessionMs.equals("default")
                ? CuratorFrameworkFactory.newClient(connect, new ExponentialBackoffRetry(1000, 3))
                : CuratorFrameworkFactory.newClient(
                        connect, Integer.parseInt(sessionMs), 15_000, new ExponentialBackoffRetry(1000, 3));
        zk.start();
        LeaderLatch latch = new LeaderLatch(zk, "/bench-takeover", id);
        latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                print("LEADER " + Instant.now());
            }

            @Override
            public void notLeader() {
                print("FOLLOWER " + Instant.now());
            }
        });
        latch.start();
        print("READY");
        return () -> {
            latch.close();
            zk.close();
        };
    }

    private static void print(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }
}
