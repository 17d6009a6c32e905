package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
@Timeout(120)
class PostgresServerIT {

    @Test
    void shouldServeQueriesWithDurabilityOff(PostgresServer server) throws SQLException {
        try (Connection c = server.dataSource().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT current_setting('fsync'), current_user")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo(server.isExternal() ? rs.getString(1) : "off");
            assertThat(rs.getString(2)).isNotEmpty();
        }
    }

    @Test
    void shouldTerminateSessionsByApplicationName(PostgresServer server) throws SQLException {
        try (Connection victim = server.connect();
                Statement st = victim.createStatement()) {
            st.execute("SET application_name = 'testkit-victim-1'");
            assertThat(server.terminate("testkit-victim-%")).isEqualTo(1);
            assertThatThrownBy(() -> st.execute("SELECT 1")).isInstanceOf(SQLException.class);
        }
        assertThat(server.terminate("testkit-victim-%")).isZero();
    }

    @Test
    void shouldKeepDataAcrossRestartAndExplainWhenStopped(PostgresServer server) throws SQLException {
        assumeFalse(server.isExternal(), "restart needs a server started by the testkit");
        try (Connection c = server.connect();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS testkit_restart(v int)");
            st.execute("INSERT INTO testkit_restart VALUES (42)");
        }
        server.stop();
        assertThat(server.isRunning()).isFalse();
        assertThatThrownBy(server::connect).isInstanceOf(SQLException.class);
        server.restart();
        try (Connection c = server.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM testkit_restart WHERE v = 42")) {
            rs.next();
            assertThat(rs.getInt(1)).isPositive();
        }
    }

    @Test
    void shouldRejectMalformedExternalUrl() {
        assertThatThrownBy(() -> PostgresServer.external("jdbc:mysql://x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jdbc:postgresql:");
    }
}
