package dev.baton.spring.boot.autoconfigure;

import dev.baton.lock.LockClient;
import dev.baton.micrometer.BatonMicrometer;
import dev.baton.quartz.JobGuardMetrics;
import dev.baton.quartz.JobLockGuard;
import dev.baton.spring.boot.BatonLeaders;
import java.util.List;
import javax.sql.DataSource;
import org.quartz.JobKey;
import org.quartz.Matcher;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.impl.matchers.EverythingMatcher;
import org.quartz.impl.matchers.GroupMatcher;
import org.quartz.impl.matchers.OrMatcher;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.quartz.SchedulerFactoryBean;

/**
 * Registers {@link JobLockGuard} on Spring Boot's Quartz scheduler, on the starter's {@link LockClient}, with the
 * firing ledger on the application's {@code DataSource}. Active with Quartz, {@code baton-scheduler-guard} and Boot's
 * {@code SchedulerFactoryBean} present, unless {@code baton.quartz.enabled=false}. The guard is registered once every
 * bean exists and before the scheduler starts (it starts with the context's lifecycle), so no firing comes unguarded.
 */
@AutoConfiguration(
        after = BatonAutoConfiguration.class,
        afterName = "org.springframework.boot.quartz.autoconfigure.QuartzAutoConfiguration")
@ConditionalOnClass({JobLockGuard.class, Scheduler.class, SchedulerFactoryBean.class})
@ConditionalOnBean({LockClient.class, SchedulerFactoryBean.class, BatonLeaders.class})
@ConditionalOnBooleanProperty(name = "baton.quartz.enabled", matchIfMissing = true)
public class BatonQuartzAutoConfiguration {

    @Bean
    GuardCounters batonGuardCounters(ObjectProvider<GuardMeters> meters) {
        GuardMeters m = meters.getIfAvailable();
        return new GuardCounters(m == null ? new JobGuardMetrics() {} : m.metrics());
    }

    @Bean
    @ConditionalOnMissingBean
    JobLockGuard batonJobLockGuard(
            LockClient lockClient,
            BatonLeaders leaders,
            BatonProperties properties,
            ObjectProvider<DataSource> dataSource,
            GuardCounters counters) {
        BatonProperties.Quartz q = properties.getQuartz();
        JobLockGuard.Builder builder =
                q.getLeaderGroup() == null || q.getLeaderGroup().isBlank()
                        ? JobLockGuard.builder(lockClient)
                        : JobLockGuard.builder(leaderOf(leaders, q.getLeaderGroup()));
        if (q.isLedger()) {
            DataSource ds = dataSource.getIfUnique();
            if (ds == null) {
                throw new IllegalStateException("baton.quartz.ledger=true needs the application's DataSource for the"
                        + " firing ledger, and there is no single DataSource bean. Define one, or set"
                        + " baton.quartz.ledger=false (locks only: a late instance may then run a firing again)");
            }
            builder.ledgerDataSource(ds);
            if (q.getLedgerTable() != null) {
                BatonSettings.apply("baton.quartz.ledger-table", () -> builder.ledgerTable(q.getLedgerTable()));
            }
        } else {
            builder.withoutLedger();
        }
        if (q.getLockPrefix() != null) {
            BatonSettings.apply("baton.quartz.lock-prefix", () -> builder.lockPrefix(q.getLockPrefix()));
        }
        builder.jobs(matcher(q.getJobGroups()));
        builder.jobMetrics(counters);
        return builder.build();
    }

    @Bean
    SmartInitializingSingleton batonJobLockGuardRegistrar(JobLockGuard guard, ObjectProvider<Scheduler> scheduler) {
        return () -> {
            try {
                guard.registerWith(scheduler.getObject());
            } catch (SchedulerException e) {
                throw new IllegalStateException("Quartz refused Baton's JobLockGuard: " + e.getMessage(), e);
            }
        };
    }

    private static dev.baton.election.LeaderElector leaderOf(BatonLeaders leaders, String group) {
        try {
            return leaders.require(group);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid baton.quartz.leader-group: " + e.getMessage(), e);
        }
    }

    private static Matcher<JobKey> matcher(List<String> groups) {
        if (groups.isEmpty()) {
            return EverythingMatcher.allJobs();
        }
        Matcher<JobKey> m = GroupMatcher.jobGroupEquals(groups.get(0));
        for (String g : groups.subList(1, groups.size())) {
            m = OrMatcher.or(m, GroupMatcher.jobGroupEquals(g));
        }
        return m;
    }

    /**
     * The guard's meters from the application's metrics library.
     *
     * @param metrics where the guard's counts go besides the endpoint
     */
    record GuardMeters(JobGuardMetrics metrics) {}

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "dev.baton.micrometer.BatonMicrometer")
    @ConditionalOnBean(type = "dev.baton.micrometer.BatonMicrometer")
    static class Micrometer {
        @Bean
        GuardMeters batonGuardMicrometer(BatonMicrometer micrometer) {
            return new GuardMeters(micrometer.jobMetrics());
        }
    }
}
