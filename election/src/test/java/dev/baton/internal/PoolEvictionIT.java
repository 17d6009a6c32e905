package dev.baton.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import dev.baton.testkit.RecordingDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Eviction of a connection in doubt is found through typed seams, also behind wrappers, never by reflection. */
@ExtendWith(PostgresExtension.class)
@Timeout(60)
class PoolEvictionIT {

    private static HikariDataSource pool(PostgresServer server) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(server.jdbcUrl());
        config.setMaximumPoolSize(1);
        config.setPoolName("eviction-it");
        return new HikariDataSource(config);
    }

    @Test
    void shouldFindHikariBehindAWrapperThatUnwrapsToIt(PostgresServer server) throws Exception {
        try (HikariDataSource pool = pool(server)) {
            DataSource wrapper = RecordingDataSource.wrap(pool, new ArrayList<>()); // a proxy, as Spring's are
            assertThat(wrapper).isNotInstanceOf(HikariDataSource.class);
            PoolEviction eviction = PoolEviction.detect(wrapper);
            assertThat(eviction).isInstanceOf(HikariEviction.class);
            int evictedPid;
            try (Connection c = wrapper.getConnection()) {
                evictedPid = pid(c);
                assertThat(eviction.evict(c)).isTrue();
            }
            try (Connection next = pool.getConnection()) { // a pool of one: only eviction makes this a new session
                assertThat(pid(next))
                        .as("the evicted session is never handed out again")
                        .isNotEqualTo(evictedPid);
            }
        }
    }

    private static int pid(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void shouldKnowNoEvictionForADataSourceThatIsNoPool(PostgresServer server) {
        assertThat(PoolEviction.detect(server.dataSource())).isSameAs(PoolEviction.NONE);
    }

    @Test
    void shouldCountAThrowingCallbackAsNotEvicted(PostgresServer server) throws Exception {
        List<Connection> seen = new ArrayList<>();
        PoolEviction eviction = PoolEviction.of(c -> {
            seen.add(c);
            throw new IllegalStateException("pool refused");
        });
        try (Connection c = server.dataSource().getConnection()) {
            assertThat(eviction.evict(c)).isFalse();
            assertThat(seen).containsExactly(c);
        }
    }
}
