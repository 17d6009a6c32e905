package dev.baton.spring.boot.autoconfigure;

import dev.baton.lock.LockClient;
import dev.baton.spring.boot.BatonLeaders;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** Guards {@code @RunExclusively} and {@code @RunOnLeader} methods; off with {@code baton.scheduling.enabled=false}. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "baton.scheduling.enabled", matchIfMissing = true)
class BatonSchedulingConfiguration {

    // Static: a post-processor is made before other beans; the providers resolve the client and leaders on first call.
    @Bean
    static GuardedCallsPostProcessor batonGuardedCallsPostProcessor(
            ObjectProvider<LockClient> lockClient,
            ObjectProvider<BatonLeaders> leaders,
            ObjectProvider<BatonMetricsBinding> metrics,
            Environment environment) {
        return new GuardedCallsPostProcessor(lockClient, leaders, metrics, environment);
    }
}
