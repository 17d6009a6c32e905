package dev.baton.election;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** A term revoked at the very moment it is won must never leave its task running. */
@ExtendWith(PostgresExtension.class)
class LeaderElectorRaceIT {

    @Test
    @Timeout(120)
    void shouldNeverLeaveATaskRunningWhenLeadershipIsYieldedAsSoonAsItIsWon(PostgresServer server) throws Exception {
        AtomicInteger running = new AtomicInteger();
        for (int trial = 0; trial < 10; trial++) {
            CountDownLatch revoked = new CountDownLatch(1);
            LeaderElector[] self = new LeaderElector[1];
            try (LeaderElector elector = LeaderElector.builder(server.dataSource(), "race-yield-" + trial)
                    .instanceId("race-" + trial)
                    .rejoinAfterYield(Duration.ofHours(1))
                    .whileLeader(ctx -> {
                        running.incrementAndGet();
                        try {
                            while (true) {
                                TimeUnit.SECONDS.sleep(1); // stops only when interrupted, as the javadoc asks
                            }
                        } finally {
                            running.decrementAndGet();
                        }
                    })
                    .addListener(event -> {
                        if (event.type() == LeadershipEvent.Type.ELECTED) {
                            self[0].yieldLeadership(); // races the start of the task thread
                        } else {
                            revoked.countDown();
                        }
                    })
                    .build()) {
                self[0] = elector;
                elector.start();
                assertThat(revoked.await(30, TimeUnit.SECONDS)).isTrue();
                await("no task outlives its term (trial " + trial + ")")
                        .atMost(Duration.ofSeconds(10))
                        .until(() -> running.get() == 0);
            }
        }
    }
}
