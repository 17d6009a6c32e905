package dev.baton.quartz.internal;

import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.quartz.utils.DBConnectionManager;

/** A {@link DataSource} over a Quartz data source ({@code org.quartz.dataSource.NAME.*}) by name. */
final class QuartzDataSource implements DataSource {
    private final String name;

    QuartzDataSource(String name) {
        this.name = name;
    }

    /**
     * Whether Quartz knows a data source of that name, without connecting. Null if it cannot be told (Quartz keeps
     * the lookup package-private; we read it reflectively and give up quietly if that fails).
     */
    static Boolean exists(String name) {
        try {
            Method m = DBConnectionManager.class.getDeclaredMethod("getConnectionProvider", String.class);
            m.setAccessible(true);
            return m.invoke(DBConnectionManager.getInstance(), name) != null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
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
