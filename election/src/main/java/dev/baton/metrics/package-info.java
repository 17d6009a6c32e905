/**
 * Baton's metrics seam: one small interface per component ({@link dev.baton.metrics.LockClientMetrics},
 * {@link dev.baton.metrics.ElectorMetrics}; the Quartz guard's is {@code dev.baton.quartz.JobGuardMetrics}), each
 * made by a factory given to the component's builder ({@code metricsFactory(...)}). {@code baton-micrometer}
 * implements them; Dropwizard sits behind the same seam through the builders' {@code metrics(MetricRegistry)}.
 * Implementations are thread-safe and never block.
 */
package dev.baton.metrics;
