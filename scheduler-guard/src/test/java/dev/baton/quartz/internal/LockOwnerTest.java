package dev.baton.quartz.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.lock.DistributedLock;
import dev.baton.lock.LockClient;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LockOwnerTest {

    @Test
    void shouldLetAnyThreadReleaseALockTheOwnerThreadHolds() throws Exception {
        try (LockClient client = LockClient.inMemory();
                LockOwner owner = new LockOwner("test", Duration.ofSeconds(5))) {
            DistributedLock lock = client.lock("job");
            assertThat(owner.tryLock(lock)).isTrue();
            assertThat(lock.tryLock())
                    .as("held by the owner thread, not this one")
                    .isFalse();
            CompletableFuture.runAsync(() -> owner.unlock(lock)).get(5, TimeUnit.SECONDS);
            assertThat(lock.tryLock()).as("released from another thread").isTrue();
            lock.unlock();
        }
    }

    @Test
    void shouldVetoPastTheTimeoutAndUndoATryLockThatSucceedsLater() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        CountDownLatch undone = new CountDownLatch(1);
        AtomicInteger unlocks = new AtomicInteger();
        DistributedLock hanging = (DistributedLock) Proxy.newProxyInstance(
                DistributedLock.class.getClassLoader(), new Class<?>[] {DistributedLock.class}, (p, m, args) -> {
                    return switch (m.getName()) {
                        case "tryLock" -> {
                            answer.await();
                            yield true;
                        }
                        case "unlock" -> {
                            unlocks.incrementAndGet();
                            undone.countDown();
                            yield null;
                        }
                        case "toString" -> "hanging-lock";
                        default -> throw new UnsupportedOperationException(m.getName());
                    };
                });
        try (LockOwner owner = new LockOwner("test", Duration.ofMillis(100))) {
            assertThatThrownBy(() -> owner.tryLock(hanging))
                    .isInstanceOf(LockOwner.OperationTimeout.class)
                    .hasMessageContaining("hanging-lock");
            answer.countDown(); // PostgreSQL answers after all: the lock is granted, and must be given back
            assertThat(undone.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(unlocks.get()).isEqualTo(1);
        }
    }
}
