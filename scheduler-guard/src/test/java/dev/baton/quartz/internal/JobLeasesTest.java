package dev.baton.quartz.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.lock.LockClient;
import dev.baton.lock.LockKey;
import dev.baton.lock.LockLease;
import dev.baton.lock.LockMode;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JobLeasesTest {

    @Test
    void shouldLetAnyThreadReleaseALeaseAndKeepASecondTryOut() throws Exception {
        try (LockClient client = LockClient.inMemory();
                JobLeases leases = new JobLeases(client, "test", Duration.ofSeconds(5))) {
            LockLease lease = leases.tryAcquire("job").orElseThrow();
            assertThat(leases.tryAcquire("job"))
                    .as("not re-entrant: a second firing here is kept out")
                    .isEmpty();
            CompletableFuture.runAsync(() -> leases.release(lease)).get(5, TimeUnit.SECONDS);
            assertThat(leases.tryAcquire("job"))
                    .as("released from another thread")
                    .isPresent();
        }
    }

    @Test
    void shouldReleaseOnTheCallerAfterClose() {
        try (LockClient client = LockClient.inMemory()) {
            JobLeases leases = new JobLeases(client, "test", Duration.ofSeconds(5));
            LockLease lease = leases.tryAcquire("job").orElseThrow();
            leases.close();
            leases.release(lease);
            assertThat(lease.isValid()).isFalse();
        }
    }

    @Test
    void shouldVetoPastTheTimeoutAndReleaseALeaseGrantedLater() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        CountDownLatch released = new CountDownLatch(1);
        AtomicInteger releases = new AtomicInteger();
        LockLease granted = new LockLease() {
            @Override
            public LockKey key() {
                return LockKey.named("job");
            }

            @Override
            public LockMode mode() {
                return LockMode.EXCLUSIVE;
            }

            @Override
            public boolean isValid() {
                return releases.get() == 0;
            }

            @Override
            public void checkValid() {}

            @Override
            public void release() {
                releases.incrementAndGet();
                released.countDown();
            }
        };
        LockClient hanging = (LockClient) Proxy.newProxyInstance(
                LockClient.class.getClassLoader(), new Class<?>[] {LockClient.class}, (p, m, args) -> {
                    return switch (m.getName()) {
                        case "tryAcquire" -> {
                            answer.await();
                            yield Optional.of(granted);
                        }
                        case "toString" -> "hanging-client";
                        default -> throw new UnsupportedOperationException(m.getName());
                    };
                });
        try (JobLeases leases = new JobLeases(hanging, "test", Duration.ofMillis(100))) {
            assertThatThrownBy(() -> leases.tryAcquire("hanging-lock"))
                    .isInstanceOf(JobLeases.OperationTimeout.class)
                    .hasMessageContaining("hanging-lock");
            answer.countDown(); // PostgreSQL answers after all: the lease is granted, and must be given back
            assertThat(released.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(releases.get()).isEqualTo(1);
        }
    }
}
