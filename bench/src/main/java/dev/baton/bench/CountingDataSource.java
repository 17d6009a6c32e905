package dev.baton.bench;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * Counts the JDBC calls that each make one round trip to the server (every execute, commit, rollback and
 * {@code isValid}) on the connections a data source hands out: the "round trips per operation" of a library that
 * gets its connections from it. Used in a separate, untimed pass (the proxies cost time of their own).
 */
final class CountingDataSource {
    private static final Set<String> ROUND_TRIPS = Set.of(
            "execute",
            "executeQuery",
            "executeUpdate",
            "executeLargeUpdate",
            "executeBatch",
            "commit",
            "rollback",
            "isValid");

    private final AtomicLong trips = new AtomicLong();
    private final DataSource proxy;

    CountingDataSource(DataSource target) {
        this.proxy = (DataSource) Proxy.newProxyInstance(
                DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class}, (p, m, a) -> {
                    Object r = invoke(target, m, a);
                    return r instanceof Connection c ? wrap(c, Connection.class) : r;
                });
    }

    DataSource dataSource() {
        return proxy;
    }

    long trips() {
        return trips.get();
    }

    private <T> T wrap(T target, Class<T> type) {
        Class<?>[] faces =
                target.getClass().getInterfaces().length > 0 ? allInterfaces(target.getClass()) : new Class<?>[] {type};
        InvocationHandler h = (p, m, a) -> {
            if (m.getName().equals("unwrap") || m.getName().equals("isWrapperFor")) {
                return invoke(target, m, a);
            }
            if (ROUND_TRIPS.contains(m.getName())) {
                trips.incrementAndGet();
            }
            Object r = invoke(target, m, a);
            if (r instanceof Statement s && !(r instanceof Proxy)) {
                return wrap(s, Statement.class);
            }
            return r;
        };
        return type.cast(Proxy.newProxyInstance(CountingDataSource.class.getClassLoader(), faces, h));
    }

    private static Class<?>[] allInterfaces(Class<?> c) {
        java.util.LinkedHashSet<Class<?>> all = new java.util.LinkedHashSet<>();
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            for (Class<?> i : k.getInterfaces()) {
                if (java.lang.reflect.Modifier.isPublic(i.getModifiers())) {
                    all.add(i);
                }
            }
        }
        return all.toArray(new Class<?>[0]);
    }

    private static Object invoke(Object target, Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
