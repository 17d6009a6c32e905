package dev.baton.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import dev.baton.election.LeaderElector;
import dev.baton.lock.LockClient;
import dev.baton.lock.LockLease;
import dev.baton.micrometer.BatonMicrometer;
import dev.baton.quartz.JobLockGuard;
import dev.baton.spring.boot.autoconfigure.BatonActuatorAutoConfiguration;
import dev.baton.spring.boot.autoconfigure.BatonAutoConfiguration;
import dev.baton.spring.boot.autoconfigure.BatonEndpoint;
import dev.baton.spring.boot.autoconfigure.BatonQuartzAutoConfiguration;
import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quartz.Scheduler;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.quartz.autoconfigure.QuartzAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Every condition of the auto-configuration, with {@link ApplicationContextRunner} on the testkit's PostgreSQL. */
@ExtendWith(PostgresExtension.class)
@Timeout(60)
class BatonAutoConfigurationIT {
    private static final AutoConfigurations BATON = AutoConfigurations.of(
            BatonAutoConfiguration.class, BatonQuartzAutoConfiguration.class, BatonActuatorAutoConfiguration.class);

    private PostgresServer pg;
    private ApplicationContextRunner runner;

    @BeforeEach
    void setUp(PostgresServer pg) {
        this.pg = pg;
        this.runner = new ApplicationContextRunner()
                .withConfiguration(BATON)
                .withPropertyValues("baton.instance-id=ctx-runner")
                .withBean(DataSource.class, pg::dataSource);
    }

    @Nested
    class Conditions {
        @Test
        void shouldCreateNoBatonBeanWithoutADataSource() {
            new ApplicationContextRunner().withConfiguration(BATON).run(ctx -> {
                assertThat(ctx).hasNotFailed();
                assertThat(ctx).doesNotHaveBean(LockClient.class);
                assertThat(ctx).doesNotHaveBean(BatonLeaders.class);
            });
        }

        @Test
        void shouldUseADedicatedUrlWithoutAnApplicationDataSource() {
            new ApplicationContextRunner()
                    .withConfiguration(BATON)
                    .withPropertyValues("baton.datasource.url=" + pg.jdbcUrl(), "baton.instance-id=ctx-url")
                    .run(ctx -> {
                        assertThat(ctx).hasSingleBean(LockClient.class);
                        try (LockLease lease = ctx.getBean(LockClient.class)
                                .tryAcquire("ctx-url")
                                .orElseThrow()) {
                            assertThat(lease.isValid()).isTrue();
                        }
                    });
        }

        @Test
        void shouldCreateNothingWhenDisabled() {
            runner.withPropertyValues("baton.enabled=false")
                    .run(ctx -> assertThat(ctx).doesNotHaveBean(LockClient.class));
        }

        @Test
        void shouldLetTheApplicationsOwnLockClientWin() {
            runner.withBean("myClient", LockClient.class, LockClient::inMemory).run(ctx -> {
                assertThat(ctx).hasSingleBean(LockClient.class);
                assertThat(ctx.getBean(LockClient.class).instanceId()).isEqualTo("in-memory");
            });
        }

        @Test
        void shouldAdoptTheApplicationsOwnElectorForItsGroup() {
            runner.withPropertyValues("baton.leader.groups.own.step-down-after=2s")
                    .withBean("myElector", LeaderElector.class, () -> LeaderElector.builder(pg.dataSource(), "own")
                            .instanceId("mine")
                            .build())
                    .run(ctx -> assertThat(ctx.getBean(BatonLeaders.class)
                                    .require("own")
                                    .instanceId())
                            .isEqualTo("mine"));
        }

        @Test
        void shouldCreateOneElectorPerGroup() {
            runner.withPropertyValues(
                            "baton.leader.groups.billing.check-interval=500ms",
                            "baton.leader.groups.reports.step-down-after=3s")
                    .run(ctx -> {
                        BatonLeaders leaders = ctx.getBean(BatonLeaders.class);
                        assertThat(leaders.groups()).containsExactly("billing", "reports");
                        assertThat(leaders.require("billing").instanceId()).isEqualTo("ctx-runner");
                    });
        }

        @Test
        void shouldRegisterNoGuardWithoutQuartz() {
            runner.withConfiguration(AutoConfigurations.of(QuartzAutoConfiguration.class))
                    .withClassLoader(new FilteredClassLoader(Scheduler.class))
                    .run(ctx -> {
                        assertThat(ctx).hasNotFailed();
                        assertThat(ctx).doesNotHaveBean(JobLockGuard.class);
                    });
        }

        @Test
        void shouldRegisterTheGuardOnBootsScheduler() {
            runner.withConfiguration(AutoConfigurations.of(QuartzAutoConfiguration.class))
                    .withPropertyValues("spring.quartz.auto-startup=false")
                    .run(ctx -> {
                        assertThat(ctx).hasSingleBean(JobLockGuard.class);
                        Scheduler scheduler = ctx.getBean(Scheduler.class);
                        assertThat(scheduler.getListenerManager().getTriggerListeners())
                                .contains(ctx.getBean(JobLockGuard.class));
                    });
        }

        @Test
        void shouldRegisterNoGuardWhenTurnedOff() {
            runner.withConfiguration(AutoConfigurations.of(QuartzAutoConfiguration.class))
                    .withPropertyValues("spring.quartz.auto-startup=false", "baton.quartz.enabled=false")
                    .run(ctx -> assertThat(ctx).doesNotHaveBean(JobLockGuard.class));
        }

        @Test
        void shouldOfferNoEndpointWithoutTheActuator() {
            runner.withPropertyValues("management.endpoints.jmx.exposure.include=baton", "spring.jmx.enabled=true")
                    .withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
                    .run(ctx -> {
                        assertThat(ctx).hasNotFailed();
                        assertThat(ctx).doesNotHaveBean(BatonEndpoint.class);
                    });
        }

        @Test
        void shouldOfferTheEndpointWhenExposed() {
            runner.withPropertyValues("management.endpoints.jmx.exposure.include=baton", "spring.jmx.enabled=true")
                    .run(ctx -> assertThat(ctx).hasSingleBean(BatonEndpoint.class));
        }

        @Test
        void shouldOfferNoEndpointUnlessExposed() {
            runner.run(ctx -> assertThat(ctx).doesNotHaveBean(BatonEndpoint.class));
        }

        @Test
        void shouldAddTheHealthIndicatorUnlessTurnedOff() {
            runner.withConfiguration(AutoConfigurations.of(HealthContributorAutoConfiguration.class))
                    .run(ctx -> assertThat(ctx).hasBean("batonHealthIndicator"));
            runner.withPropertyValues("management.health.baton.enabled=false")
                    .run(ctx -> assertThat(ctx).doesNotHaveBean("batonHealthIndicator"));
            runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
                    .run(ctx -> assertThat(ctx).doesNotHaveBean("batonHealthIndicator"));
        }
    }

    @Nested
    class Metrics {
        @Test
        void shouldUseMicrometerWhenThereIsAMeterRegistry() {
            runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                    .withPropertyValues("baton.metrics.lock-names=ctx-metered")
                    .run(ctx -> {
                        ctx.getBean(LockClient.class)
                                .tryAcquire("ctx-metered")
                                .orElseThrow()
                                .close();
                        MeterRegistry registry = ctx.getBean(MeterRegistry.class);
                        assertThat(registry.get("baton.lock.acquired")
                                        .tags("client", "ctx-runner", "lock", "ctx-metered")
                                        .timer()
                                        .count())
                                .isEqualTo(1);
                    });
        }

        @Test
        void shouldFallBackToDropwizardWithoutMicrometer() {
            runner.withBean(MetricRegistry.class, MetricRegistry::new)
                    .withClassLoader(new FilteredClassLoader(MeterRegistry.class))
                    .run(ctx -> {
                        assertThat(ctx).doesNotHaveBean(BatonMicrometer.class);
                        ctx.getBean(LockClient.class)
                                .tryAcquire("ctx-dropwizard")
                                .orElseThrow()
                                .close();
                        assertThat(ctx.getBean(MetricRegistry.class)
                                        .timer("baton.locks.ctx-runner.acquired")
                                        .getCount())
                                .isEqualTo(1);
                    });
        }

        @Test
        void shouldCountNothingWithNeitherLibrary() {
            runner.withClassLoader(new FilteredClassLoader(MeterRegistry.class, MetricRegistry.class))
                    .run(ctx -> {
                        assertThat(ctx).hasSingleBean(LockClient.class);
                        assertThat(ctx).doesNotHaveBean(BatonMicrometer.class);
                    });
        }
    }

    @Nested
    class Validation {
        @Test
        void shouldRefuseStepDownAfterNotBelowServerReleaseAfter() {
            runner.withPropertyValues(
                            "baton.leader.groups.billing.step-down-after=10s",
                            "baton.leader.groups.billing.server-release-after=10s")
                    .run(ctx -> assertThat(ctx)
                            .getFailure()
                            .hasStackTraceContaining("baton.leader.groups.billing.step-down-after (PT10S) must be less"
                                    + " than baton.leader.groups.billing.server-release-after"));
        }

        @Test
        void shouldRefuseANegativeDurationNamingTheProperty() {
            runner.withPropertyValues("baton.leader.groups.billing.check-interval=-1s")
                    .run(ctx -> assertThat(ctx)
                            .getFailure()
                            .hasStackTraceContaining(
                                    "baton.leader.groups.billing.check-interval must not be negative"));
        }

        @Test
        void shouldRefuseABadLockSettingNamingTheProperty() {
            runner.withPropertyValues("baton.lock.max-keys=0").run(ctx -> assertThat(ctx)
                    .getFailure()
                    .hasStackTraceContaining("Invalid baton.lock.max-keys")
                    .hasStackTraceContaining("at least 1"));
        }

        @Test
        void shouldRefuseAnUnknownLeaderGroupOfTheQuartzGuard() {
            runner.withConfiguration(AutoConfigurations.of(QuartzAutoConfiguration.class))
                    .withPropertyValues("spring.quartz.auto-startup=false", "baton.quartz.leader-group=nope")
                    .run(ctx -> assertThat(ctx)
                            .getFailure()
                            .hasStackTraceContaining("baton.quartz.leader-group")
                            .hasStackTraceContaining("No Baton leader group 'nope'"));
        }

        @Test
        void shouldRefuseANonVoidGuardedMethod() {
            runner.withUserConfiguration(NonVoid.class).run(ctx -> assertThat(ctx)
                    .getFailure()
                    .hasStackTraceContaining("Returning.work() returns int")
                    .hasStackTraceContaining("must return void"));
        }

        @Test
        void shouldRefuseAnUnknownGroupOfAGuardedMethod() {
            runner.withUserConfiguration(UnknownGroup.class).run(ctx -> assertThat(ctx)
                    .getFailure()
                    .hasStackTraceContaining("@RunOnLeader(\"ghost\"), but there is no such group"));
        }

        @Test
        void shouldRefuseAnUnresolvablePlaceholder() {
            runner.withUserConfiguration(Exclusive.class).run(ctx -> assertThat(ctx)
                    .getFailure()
                    .hasStackTraceContaining("cannot resolve the lock name '${ctx.lock.name}'"));
        }
    }

    @Nested
    class GuardedMethods {
        @Test
        void shouldRunALockedMethodWhenTheLockIsFreeAndSkipItWhenHeld() {
            runner.withUserConfiguration(Exclusive.class)
                    .withPropertyValues("ctx.lock.name=ctx-exclusive")
                    .run(ctx -> {
                        Work work = ctx.getBean(Work.class);
                        work.run();
                        assertThat(work.calls()).isEqualTo(1);
                        try (LockClient other = LockClient.builder(pg.dataSource())
                                        .instanceId("ctx-other")
                                        .build();
                                LockLease held =
                                        other.tryAcquire("ctx-exclusive").orElseThrow()) {
                            work.run();
                            assertThat(work.calls())
                                    .as("skipped while held elsewhere")
                                    .isEqualTo(1);
                        }
                        work.run();
                        assertThat(work.calls()).isEqualTo(2);
                        assertThat(ctx.getBean(LockClient.class).heldLocks())
                                .as("released after each call")
                                .isEmpty();
                    });
        }

        @Test
        void shouldReleaseTheLockWhenTheMethodThrows() {
            runner.withUserConfiguration(Exclusive.class)
                    .withPropertyValues("ctx.lock.name=ctx-throwing")
                    .run(ctx -> {
                        Work work = ctx.getBean(Work.class);
                        work.failNextCalls();
                        org.assertj.core.api.Assertions.assertThatThrownBy(work::run)
                                .hasMessage("boom");
                        assertThat(ctx.getBean(LockClient.class).heldLocks()).isEmpty();
                        assertThat(ctx.getBean(LockClient.class).isLocked("ctx-throwing"))
                                .isFalse();
                    });
        }

        @Test
        void shouldSkipALeaderOnlyMethodOnAFollower() {
            runner.withUserConfiguration(LeaderOnly.class)
                    .withPropertyValues("baton.leader.groups.ctx-lead.step-down-after=2s")
                    .run(ctx -> {
                        // The elector is not started (no ApplicationReadyEvent here), so this instance follows.
                        LeaderOnly.Job job = ctx.getBean(LeaderOnly.Job.class);
                        job.run();
                        assertThat(job.calls()).isZero();
                    });
        }
    }

    @Nested
    class HealthDetails {
        @Test
        void shouldBeUpWithTheSessionDetails() {
            runner.withConfiguration(AutoConfigurations.of(HealthContributorAutoConfiguration.class))
                    .run(ctx -> {
                        Health health = ((HealthIndicator) ctx.getBean("batonHealthIndicator")).health();
                        assertThat(health.getStatus()).isEqualTo(Status.UP);
                        assertThat(health.getDetails())
                                .containsEntry("instanceId", "ctx-runner")
                                .containsKey("lockSessionPid")
                                .containsEntry("heldKeys", 0L);
                    });
        }

        @Test
        void shouldBeDownWhenTheLockSessionCannotBeOpened() {
            new ApplicationContextRunner()
                    .withConfiguration(BATON)
                    .withConfiguration(AutoConfigurations.of(HealthContributorAutoConfiguration.class))
                    .withPropertyValues(
                            "baton.datasource.url=jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2",
                            "baton.instance-id=ctx-down")
                    .run(ctx -> {
                        Health health = ((HealthIndicator) ctx.getBean("batonHealthIndicator")).health();
                        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
                    });
        }
    }

    /** A bean whose guarded method counts its calls. */
    static class Work {
        // Read through methods: the test holds the class proxy, whose own fields are never set.
        private final AtomicInteger calls = new AtomicInteger();
        private volatile boolean fail;

        @RunExclusively("${ctx.lock.name}")
        public void run() {
            calls.incrementAndGet();
            if (fail) {
                throw new IllegalStateException("boom");
            }
        }

        public int calls() {
            return calls.get();
        }

        public void failNextCalls() {
            fail = true;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Exclusive {
        @Bean
        Work work() {
            return new Work();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class LeaderOnly {
        static class Job {
            private final AtomicInteger calls = new AtomicInteger();

            @RunOnLeader("ctx-lead")
            public void run() {
                calls.incrementAndGet();
            }

            public int calls() {
                return calls.get();
            }
        }

        @Bean
        Job job() {
            return new Job();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class NonVoid {
        static class Returning {
            @RunExclusively("ctx-bad")
            public int work() {
                return 1;
            }
        }

        @Bean
        Returning bad() {
            return new Returning();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UnknownGroup {
        static class Ungrouped {
            @RunOnLeader("ghost")
            public void work() {}
        }

        @Bean
        Ungrouped bad() {
            return new Ungrouped();
        }
    }
}
