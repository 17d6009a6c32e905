package dev.baton.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that injects the JVM-wide {@link PostgresServer#shared() shared server} into test constructors,
 * lifecycle methods and test methods. One server serves the whole test run; tests isolate themselves by key and
 * table names. The server is stopped when the test run (the root extension context) ends.
 */
public final class PostgresExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(PostgresExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == PostgresServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        // A value in the root store that is AutoCloseable is closed when the whole run ends.
        return extensionContext
                .getRoot()
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent(PostgresServer.class, k -> PostgresServer.shared(), PostgresServer.class);
    }
}
