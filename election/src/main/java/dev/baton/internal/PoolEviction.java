package dev.baton.internal;

import java.sql.Connection;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a connection whose state is in doubt (it may still hold advisory locks) leaves its pool for good. HikariCP is
 * recognised by itself, also behind wrappers that implement {@link DataSource#unwrap}; other pools are given with the
 * builders' {@code poolEviction} option. Without either, the connection is aborted, which every pool notices.
 */
@FunctionalInterface
public interface PoolEviction {
    /** No pool known: {@link #evict} answers false and the caller aborts the connection. */
    PoolEviction NONE = c -> false;

    /** Evicts {@code connection}; true if it did. Never throws. */
    boolean evict(Connection connection);

    /** The eviction for {@code dataSource}: HikariCP's when HikariCP is on the class path and behind it, else none. */
    static PoolEviction detect(DataSource dataSource) {
        return HikariPresence.PRESENT ? HikariEviction.detect(dataSource) : NONE;
    }

    /** A user's eviction callback; an exception from it counts as "not evicted" (the connection is then aborted). */
    static PoolEviction of(Consumer<Connection> evictor) {
        return c -> {
            try {
                evictor.accept(c);
                return true;
            } catch (RuntimeException e) {
                LoggerFactory.getLogger(PoolEviction.class).debug("Pool eviction callback failed", e);
                return false;
            }
        };
    }

    /** Whether HikariCP can be linked; {@link HikariEviction} is loaded only when it can. */
    final class HikariPresence {
        static final boolean PRESENT = present();

        private HikariPresence() {}

        private static boolean present() {
            try {
                Class.forName("com.zaxxer.hikari.HikariDataSource", false, PoolEviction.class.getClassLoader());
                return true;
            } catch (ClassNotFoundException | LinkageError e) {
                Logger log = LoggerFactory.getLogger(PoolEviction.class);
                log.debug("HikariCP not on the class path; pooled connections in doubt are aborted instead");
                return false;
            }
        }
    }
}
