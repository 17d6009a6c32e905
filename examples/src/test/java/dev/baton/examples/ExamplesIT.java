package dev.baton.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Runs every example against one PostgreSQL and checks that each shows what its javadoc says. */
@ExtendWith(PostgresExtension.class)
@Timeout(60)
class ExamplesIT {
    private final PostgresServer server;
    private final DataSource ds;

    ExamplesIT(PostgresServer server) {
        this.server = server;
        this.ds = server.dataSource();
    }

    @Test
    void basicLockReleasesWhatItTook() {
        BasicLock.run(ds);
    }

    @Test
    void tryLockSkipsWhileAnotherServerHoldsTheLock() {
        assertThat(TryLockOrSkip.run(ds)).isFalse();
    }

    @Test
    void waitWithTimeoutGivesUpThenGetsTheLockOnceFree() throws Exception {
        assertThat(WaitWithTimeout.run(ds)).containsExactly(true, true);
    }

    @Test
    void concurrentWorkersAreInsideOneAtATime() throws Exception {
        assertThat(ConcurrentWorkers.run(ds)).isEqualTo(1);
    }

    @Test
    void aTaskStartedOnThreeServersRunsOnOne() throws Exception {
        assertThat(RunOnceAcrossServers.run(ds)).isEqualTo(1);
    }

    @Test
    void leaderElectionHandsOverWithAHigherTerm() throws Exception {
        long[] terms = LeaderElection.run(ds);
        assertThat(terms[1]).isGreaterThan(terms[0]);
    }

    @Test
    void resourcePoolAdmitsAsManyServersAsSlots() {
        assertThat(ResourcePool.run(ds)).isEqualTo(ResourcePool.SLOTS);
    }

    @Test
    void migrationIsAppliedByOneServerOnly() throws Exception {
        assertThat(MigrationLock.run(ds)).isEqualTo(1);
    }

    @Test
    void scheduledJobsRunEachFiringOnOneInstance() throws Exception {
        Map<Long, List<String>> runs = ScheduledJobs.run(ds);
        assertThat(runs).isNotEmpty();
        assertThat(runs.values()).allSatisfy(who -> assertThat(who).hasSize(1));
    }

    @Test
    void cacheRefreshExcludesReadersAndWaitsForThem() throws Exception {
        assertThat(CacheRefresh.run(ds)).containsExactly(true, true, true);
    }

    @Test
    void configurationUpdateWaitsForReadersWithATimeout() throws Exception {
        assertThat(ConfigurationUpdate.run(ds)).containsExactly(true, true);
    }

    @Test
    void reportGenerationFinishesBeforeTheLoadStarts() throws Exception {
        assertThat(ReportGeneration.run(ds)).isTrue();
    }

    @Test
    void runWithLockHelpersRunSkipAndAlwaysRelease() throws Exception {
        assertThat(RunWithLock.run(ds)).containsExactly(true, true, true);
    }

    @Test
    void aLeaseIsReleasedByAnotherThread() throws Exception {
        assertThat(ThreadFreeLease.run(ds)).isTrue();
    }

    @Test
    void aQuartzApplicationIsGuardedFromItsPropertiesAlone() throws Exception {
        assertThat(QuartzPropertiesOnly.run(server.jdbcUrl())).isTrue();
    }

    @Test
    void theFencingTermRefusesTheStaleLeadersWrite() throws Exception {
        assertThat(FencedLeaderTask.run(ds)).containsExactly(true, true);
    }
}
