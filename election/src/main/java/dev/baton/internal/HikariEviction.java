package dev.baton.internal;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;

/** {@link PoolEviction} for HikariCP. Loaded only when HikariCP is on the class path ({@code requires static}). */
final class HikariEviction implements PoolEviction {
    private final HikariDataSource pool;

    private HikariEviction(HikariDataSource pool) {
        this.pool = pool;
    }

    static PoolEviction detect(DataSource dataSource) {
        if (dataSource instanceof HikariDataSource hikari) {
            return new HikariEviction(hikari);
        }
        try {
            // Spring's proxies and other wrappers implement unwrap to the target pool.
            if (dataSource.isWrapperFor(HikariDataSource.class)) {
                return new HikariEviction(dataSource.unwrap(HikariDataSource.class));
            }
        } catch (SQLException | RuntimeException e) {
            LoggerFactory.getLogger(HikariEviction.class).debug("Could not unwrap {}", dataSource, e);
        }
        return NONE;
    }

    @Override
    public boolean evict(Connection connection) {
        try {
            pool.evictConnection(connection); // closes the physical connection at once
            return true;
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(HikariEviction.class).debug("HikariCP eviction failed", e);
            return false;
        }
    }
}
