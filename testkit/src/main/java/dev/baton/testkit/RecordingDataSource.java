package dev.baton.testkit;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.List;
import javax.sql.DataSource;

/**
 * Wraps a {@link DataSource} so that every connection it hands out is also added to a list: a test or benchmark can
 * then act on the very session a Baton client uses (to release a lock behind its back, or to run raw SQL on it).
 */
public final class RecordingDataSource {
    private RecordingDataSource() {}

    /**
     * A DataSource that delegates to {@code target} and adds each connection it returns to {@code handedOut}.
     *
     * @param target where connections come from
     * @param handedOut receives every connection handed out; must be thread-safe if the DataSource is shared
     * @return the recording DataSource
     */
    public static DataSource wrap(DataSource target, List<Connection> handedOut) {
        return (DataSource) Proxy.newProxyInstance(
                DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    try {
                        Object result = method.invoke(target, args);
                        if (result instanceof Connection connection) {
                            handedOut.add(connection);
                        }
                        return result;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
