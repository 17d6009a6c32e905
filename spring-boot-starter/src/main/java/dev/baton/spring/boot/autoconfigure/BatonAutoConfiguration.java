package dev.baton.spring.boot.autoconfigure;

import dev.baton.election.LeaderElector;
import dev.baton.election.LeaderTask;
import dev.baton.lock.LockClient;
import dev.baton.spring.boot.BatonLeaders;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.BeanFactoryAnnotationUtils;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

/**
 * Baton's core beans: the {@link LockClient}, the group electors ({@link BatonLeaders}), and the lifecycle that starts
 * electors when the application is ready and closes electors and client before the {@code DataSource}. Active when
 * there is a single {@code DataSource} or {@code baton.datasource.url} is set, and {@code baton.enabled} is not false.
 * Every bean backs off when the application defines its own.
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"
        })
@ConditionalOnBooleanProperty(name = "baton.enabled", matchIfMissing = true)
@Conditional(OnBatonConnection.class)
@EnableConfigurationProperties(BatonProperties.class)
@Import({BatonMetricsConfiguration.class, BatonSchedulingConfiguration.class})
public class BatonAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    BatonConnections batonConnections(BatonProperties properties, ObjectProvider<DataSource> dataSource) {
        return BatonConnections.of(properties.getDatasource(), dataSource.getIfUnique());
    }

    @Bean
    @ConditionalOnMissingBean
    BatonInstanceId batonInstanceId(BatonProperties properties, Environment environment) {
        return BatonInstanceId.of(properties.getInstanceId(), environment.getProperty("spring.application.name"));
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    LockClient batonLockClient(
            BatonProperties properties,
            BatonConnections connections,
            BatonInstanceId instanceId,
            ObjectProvider<BatonMetricsBinding> metrics) {
        BatonProperties.Lock lock = properties.getLock();
        LockClient.Builder builder = connections.lockClient();
        BatonSettings.apply("baton.lock.max-keys", () -> builder.maxKeys(lock.getMaxKeys()));
        BatonSettings.apply(
                "baton.lock.heartbeat-interval", () -> builder.heartbeatInterval(lock.getHeartbeatInterval()));
        BatonSettings.apply(
                "baton.lock.max-waiter-connections",
                () -> builder.maxWaiterConnections(lock.getMaxWaiterConnections()));
        builder.instanceId(instanceId.value());
        metrics.ifAvailable(m -> m.bind(builder));
        return builder.build();
    }

    @Bean
    @ConditionalOnMissingBean
    BatonLeaders batonLeaders(BatonElectors electors) {
        return new BatonLeaders(electors.all());
    }

    @Bean
    BatonElectors batonElectors(
            BatonProperties properties,
            BatonConnections connections,
            BatonInstanceId instanceId,
            ObjectProvider<BatonMetricsBinding> metrics,
            ObjectProvider<LeaderElector> ownElectors,
            ApplicationEventPublisher events,
            BeanFactory beanFactory) {
        Map<String, LeaderElector> electors = new LinkedHashMap<>();
        // The application's own electors win over a group of the same name.
        ownElectors.orderedStream().forEach(e -> electors.put(e.group(), e));
        Map<String, LeaderElector> built = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, BatonProperties.Group> group :
                    properties.getLeader().getGroups().entrySet()) {
                if (!electors.containsKey(group.getKey())) {
                    LeaderElector.Builder builder = connections.elector(group.getKey());
                    BatonSettings.group(group.getKey(), group.getValue(), builder);
                    builder.instanceId(instanceId.value());
                    // Every LeadershipEvent (ELECTED/REVOKED) also goes to @EventListener methods, on the elector's
                    // event thread.
                    builder.addListener(events::publishEvent);
                    leaderTask(beanFactory, group.getKey()).ifPresent(builder::whileLeader);
                    metrics.ifAvailable(m -> m.bind(builder));
                    LeaderElector elector = BatonSettings.build(group.getKey(), builder);
                    built.put(group.getKey(), elector);
                    electors.put(group.getKey(), elector);
                }
            }
        } catch (RuntimeException e) {
            built.values().forEach(LeaderElector::close);
            throw e;
        }
        return new BatonElectors(electors, List.copyOf(built.values()));
    }

    @Bean
    @ConditionalOnMissingBean
    BatonLifecycle batonLifecycle(
            ObjectProvider<LockClient> lockClient, BatonElectors electors, BatonConnections connections) {
        return new BatonLifecycle(lockClient, electors, connections);
    }

    /** The {@link LeaderTask} bean named {@code group}, or qualified with it. */
    private static java.util.Optional<LeaderTask> leaderTask(BeanFactory beanFactory, String group) {
        try {
            return java.util.Optional.of(
                    BeanFactoryAnnotationUtils.qualifiedBeanOfType(beanFactory, LeaderTask.class, group));
        } catch (NoSuchBeanDefinitionException e) {
            return java.util.Optional.empty();
        }
    }
}
