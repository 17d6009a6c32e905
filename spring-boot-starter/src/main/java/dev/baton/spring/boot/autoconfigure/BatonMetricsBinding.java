package dev.baton.spring.boot.autoconfigure;

import dev.baton.election.LeaderElector;
import dev.baton.lock.LockClient;

/**
 * Connects Baton's builders to the application's metrics library: Micrometer when a {@code MeterRegistry} bean exists,
 * else Dropwizard when a {@code MetricRegistry} bean exists, else none. Only library-neutral types appear here, so the
 * bean can be introspected without either library present. Implementations are thread-safe.
 */
interface BatonMetricsBinding {
    void bind(LockClient.Builder builder);

    void bind(LeaderElector.Builder builder);

    /** A guarded method call ran or was skipped; {@code task} is {@code Class.method}, bounded by the code. */
    default void scheduledCall(String task, String outcome) {}
}
