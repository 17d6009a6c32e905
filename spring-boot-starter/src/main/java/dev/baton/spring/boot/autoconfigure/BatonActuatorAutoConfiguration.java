package dev.baton.spring.boot.autoconfigure;

import dev.baton.lock.LockClient;
import dev.baton.spring.boot.BatonLeaders;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code baton} health indicator (with {@code spring-boot-health}; off with
 * {@code management.health.baton.enabled=false}) and the {@code baton} endpoint (with the actuator; available when
 * exposed). The indicator is not in the readiness group unless the application adds it
 * ({@code management.endpoint.health.group.readiness.include=readinessState,baton}).
 */
@AutoConfiguration(after = {BatonAutoConfiguration.class, BatonQuartzAutoConfiguration.class})
@ConditionalOnBean({LockClient.class, BatonLeaders.class})
public class BatonActuatorAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    @ConditionalOnEnabledHealthIndicator("baton")
    static class Health {
        @Bean
        @ConditionalOnMissingBean(name = "batonHealthIndicator")
        HealthIndicator batonHealthIndicator(LockClient client, BatonLeaders leaders) {
            return new BatonHealthIndicator(client, leaders);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(
            name = {
                "org.springframework.boot.actuate.endpoint.annotation.Endpoint",
                "org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint"
            })
    static class Endpoint {
        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnAvailableEndpoint(BatonEndpoint.class)
        BatonEndpoint batonEndpoint(
                LockClient client,
                BatonLeaders leaders,
                ObjectProvider<GuardedCallsPostProcessor> calls,
                ObjectProvider<JobCounts> jobs) {
            return new BatonEndpoint(client, leaders, calls, jobs);
        }
    }
}
