package dev.baton.spring.boot.autoconfigure;

import dev.baton.election.LeaderElector;
import dev.baton.lock.LockClient;
import dev.baton.micrometer.BatonMicrometer;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** Picks the metrics library: Micrometer first, then Dropwizard, then none (no binding bean). */
@Configuration(proxyBeanMethods = false)
@Import({BatonMetricsConfiguration.Micrometer.class, BatonMetricsConfiguration.Dropwizard.class})
class BatonMetricsConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"io.micrometer.core.instrument.MeterRegistry", "dev.baton.micrometer.BatonMicrometer"})
    @ConditionalOnBean(type = "io.micrometer.core.instrument.MeterRegistry")
    static class Micrometer {
        @Bean
        @ConditionalOnMissingBean
        BatonMicrometer batonMicrometer(MeterRegistry registry, BatonProperties properties) {
            return BatonMicrometer.builder(registry)
                    .tagLockNames(properties.getMetrics().getLockNames())
                    .build();
        }

        @Bean
        @ConditionalOnMissingBean
        BatonMetricsBinding batonMicrometerBinding(BatonMicrometer micrometer, MeterRegistry registry) {
            return new BatonMetricsBinding() {
                @Override
                public void bind(LockClient.Builder builder) {
                    builder.metricsFactory(micrometer.lockClientMetrics());
                }

                @Override
                public void bind(LeaderElector.Builder builder) {
                    builder.metricsFactory(micrometer.electorMetrics());
                }

                @Override
                public void scheduledCall(String task, String outcome) {
                    registry.counter("baton.scheduled.calls", "task", task, "outcome", outcome)
                            .increment();
                }
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "com.codahale.metrics.MetricRegistry")
    @ConditionalOnBean(type = "com.codahale.metrics.MetricRegistry")
    static class Dropwizard {
        @Bean
        @ConditionalOnMissingBean
        BatonMetricsBinding batonDropwizardBinding(com.codahale.metrics.MetricRegistry registry) {
            return new BatonMetricsBinding() {
                @Override
                public void bind(LockClient.Builder builder) {
                    builder.metrics(registry);
                }

                @Override
                public void bind(LeaderElector.Builder builder) {
                    builder.metrics(registry);
                }

                @Override
                public void scheduledCall(String task, String outcome) {
                    registry.counter(com.codahale.metrics.MetricRegistry.name("baton.scheduled", task, outcome))
                            .inc();
                }
            };
        }
    }
}
