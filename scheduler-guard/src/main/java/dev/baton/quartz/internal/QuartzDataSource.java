package dev.baton.quartz.internal;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.quartz.utils.DBConnectionManager;

/**
 * A {@link DataSource} over a Quartz data source ({@code org.quartz.dataSource.NAME.*}) by name, through Quartz's
 * public {@link DBConnectionManager#getConnection(String)}. Thread-safe; {@link #getConnection()} blocks as the
 * Quartz connection provider (usually a pool) does.
 */
public final class QuartzDataSource implements DataSource {
    private final String name;

    public QuartzDataSource(String name) {
        this.name = name;
    }

    /**
     * Whether Quartz has a data source of that name. Quartz has no public lookup, so this borrows a connection and
     * gives it back; a data source that exists but cannot connect now (PostgreSQL down) counts as existing, since
     * the guard then fails closed until it answers.
     */
    public static boolean exists(String name) {
        try (Connection c = DBConnectionManager.getInstance().getConnection(name)) {
            return c != null;
        } catch (SQLException e) {
            // Quartz's own answer for an unknown name: no SQLState, this exact message (DBConnectionManager).
            return !(e.getSQLState() == null && ("There is no DataSource named '" + name + "'").equals(e.getMessage()));
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        return DBConnectionManager.getInstance().getConnection(name);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("Quartz data source '" + name + "' has fixed credentials");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("no java.util.logging");
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        throw new SQLException("QuartzDataSource wraps nothing");
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return false;
    }

    @Override
    public String toString() {
        return "Quartz data source '" + name + "'";
    }
}
