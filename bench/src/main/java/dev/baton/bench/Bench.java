package dev.baton.bench;

import dev.baton.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;
import javax.sql.DataSource;

/** What every benchmark gets: the run's mode, the server, and a random source for kill phases. */
record Bench(boolean quick, PostgresServer server, Random random) {

    /** {@code full} trials normally, {@code quick} in {@code --quick} mode. */
    int trials(int full, int quick) {
        return quick() ? quick : full;
    }

    DataSource dataSource() {
        return server.dataSource();
    }

    String jdbcUrl() {
        return server.jdbcUrl();
    }

    void exec(String sql) throws SQLException {
        try (Connection c = server.connect();
                Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    long queryLong(String sql) throws SQLException {
        try (Connection c = server.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Runs a prepared single-boolean query and fails loudly if it is not true (a benchmark must not time failures). */
    static void expectTrue(PreparedStatement ps, String what) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next() || !rs.getBoolean(1)) {
                throw new IllegalStateException(what + " returned false: the benchmark's lock was taken elsewhere");
            }
        }
    }

    static void progress(String format, Object... args) {
        System.err.printf(java.util.Locale.ROOT, "[bench] " + format + "%n", args);
    }
}
