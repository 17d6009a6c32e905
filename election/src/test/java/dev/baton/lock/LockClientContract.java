package dev.baton.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * Behaviour every {@link LockClient} must have, run against the PostgreSQL client and the in-memory one. Holds belong
 * to threads, so "another holder" here is another thread of the same client.
 */
@Timeout(60)
abstract class LockClientContract {
    private static final AtomicInteger KEYS = new AtomicInteger();

    LockClient client;
    OnThread other;
    private String keyPrefix;
    private final List<LockClient> opened = new ArrayList<>();

    /** A new client; the contract closes it after the test. */
    abstract LockClient newClient(String instanceId);

    LockClient open(String instanceId) {
        LockClient c = newClient(instanceId);
        opened.add(c);
        return c;
    }

    @BeforeEach
    void setUp(TestInfo info) {
        keyPrefix = getClass().getSimpleName() + "." + info.getDisplayName();
        client = open("contract-" + KEYS.incrementAndGet());
        other = new OnThread("other-holder");
    }

    @AfterEach
    void tearDown() {
        other.close();
        opened.forEach(LockClient::close);
    }

    String name() {
        return keyPrefix + "#" + KEYS.incrementAndGet();
    }

    @Nested
    class LockSets {
        @Test
        void shouldTakeEveryKeyInAscendingOrderAndReleaseThemWithOneClose() throws Exception {
            LockKey high = LockKey.of(Long.MAX_VALUE - KEYS.incrementAndGet());
            LockKey low = LockKey.of(Long.MIN_VALUE + KEYS.incrementAndGet());
            LockKey mid = LockKey.of(KEYS.incrementAndGet());
            LockSet set = client.lockAll(Duration.ofSeconds(5), high, low, mid).orElseThrow();
            assertThat(set.keys()).containsExactly(low, mid, high);
            assertThat(set.isValid()).isTrue();
            for (LockKey key : List.of(low, mid, high)) {
                assertThat(other.check(() -> client.lock(key).tryLock())).isFalse();
            }
            other.run(set::close); // any thread
            set.release(); // once: a no-op now
            assertThat(set.isValid()).isFalse();
            for (LockKey key : List.of(low, mid, high)) {
                assertThat(other.check(() -> client.lock(key).tryLock())).isTrue();
                other.run(client.lock(key)::unlock);
            }
        }

        @Test
        void shouldTakeNoneWhenOneKeyIsHeldElsewhere() throws Exception {
            String first = name();
            String second = name();
            String third = name();
            DistributedLock held = client.lock(second);
            assertThat(other.check(held::tryLock)).isTrue();
            assertThat(client.lockAll(Duration.ofMillis(50), first, second, third))
                    .isEmpty();
            assertThat(other.check(() -> client.lock(first).tryLock()))
                    .as("a key taken before the refusal is given back")
                    .isTrue();
            assertThat(other.check(() -> client.lock(third).tryLock())).isTrue();
            other.run(client.lock(first)::unlock);
            other.run(client.lock(third)::unlock);
            other.run(held::unlock);
        }

        @Test
        void shouldGiveBackWhatItTookWhenInterrupted() throws Exception {
            LockKey a = LockKey.of(1_000_000L + KEYS.incrementAndGet());
            LockKey b = LockKey.of(2_000_000L + KEYS.incrementAndGet());
            DistributedLock heldB = client.lock(b);
            assertThat(other.check(heldB::tryLock)).isTrue();
            try (OnThread setter = new OnThread("set-taker")) {
                CountDownLatch started = new CountDownLatch(1);
                Thread[] taker = new Thread[1];
                Future<Optional<LockSet>> attempt = setter.submit(() -> {
                    taker[0] = Thread.currentThread();
                    started.countDown();
                    return client.lockAll(Duration.ofSeconds(30), b, a);
                });
                started.await();
                org.awaitility.Awaitility.await("a taken, b waited for")
                        .atMost(Duration.ofSeconds(10))
                        .until(() -> !other.check(() -> client.lock(a).tryLock()));
                taker[0].interrupt();
                assertThatThrownBy(() -> attempt.get(10, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(InterruptedException.class);
            }
            assertThat(other.check(() -> client.lock(a).tryLock())).isTrue();
            other.run(client.lock(a)::unlock);
            other.run(heldB::unlock);
        }

        @Test
        void shouldWaitForItselfAndGiveUpWhenTheThreadAlreadyHoldsOneOfTheKeys() throws Exception {
            String mine = name();
            String other = name();
            DistributedLock held = client.lock(mine);
            held.lock();
            try {
                assertThat(client.lockAll(Duration.ofMillis(100), mine, other))
                        .as("the set's holds are leases, not re-entrant")
                        .isEmpty();
                assertThat(LockClientContract.this.other.check(
                                () -> client.lock(other).tryLock()))
                        .isTrue();
                LockClientContract.this.other.run(client.lock(other)::unlock);
            } finally {
                held.unlock();
            }
        }

        @Test
        void shouldRefuseDuplicatesEmptySetsAndBadTimeouts() {
            String name = name();
            assertThatThrownBy(() -> client.lockAll(Duration.ofSeconds(1), name, name))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("twice");
            assertThatThrownBy(() -> client.lockAll(Duration.ofSeconds(1), new LockKey[0]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("at least one");
            assertThatThrownBy(() -> client.lockAll(Duration.ofSeconds(-1), name))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("negative");
        }
    }

    @Nested
    class Leases {
        @Test
        void shouldBeReleasedByAnotherThreadThanTheOneThatTookIt() throws Exception {
            String name = name();
            LockLease lease = client.tryAcquire(name).orElseThrow();
            assertThat(lease.isValid()).isTrue();
            assertThat(lease.mode()).isEqualTo(LockMode.EXCLUSIVE);
            assertThat(lease.key()).isEqualTo(LockKey.named(name));
            assertThat(other.check(() -> client.lock(name).tryLock())).isFalse();
            other.run(lease::release);
            assertThat(lease.isValid()).isFalse();
            assertThat(other.check(() -> client.lock(name).tryLock())).isTrue();
            other.run(client.lock(name)::unlock);
        }

        @Test
        void shouldNotBeReentrant() throws Exception {
            String name = name();
            try (LockLease first = client.tryAcquire(name).orElseThrow()) {
                assertThat(client.tryAcquire(name)).isEmpty();
                assertThat(client.tryAcquireShared(name)).isEmpty();
                assertThat(client.lock(name).tryLock()).isFalse();
                assertThat(first.isValid()).isTrue();
            }
            try (LockLease again = client.tryAcquire(name).orElseThrow()) {
                assertThat(again.isValid()).isTrue();
            }
        }

        @Test
        void shouldBeRefusedWhileThisThreadHoldsTheLock() {
            DistributedLock lock = client.lock(name());
            lock.lock();
            try {
                assertThat(client.tryAcquire(lock.key())).isEmpty();
            } finally {
                lock.unlock();
            }
        }

        @Test
        void shouldShareWithSharedHolders() throws Exception {
            String name = name();
            try (LockLease a = client.tryAcquireShared(name).orElseThrow();
                    LockLease b = client.tryAcquireShared(name).orElseThrow()) {
                assertThat(a.isValid() && b.isValid()).isTrue();
                assertThat(other.check(() -> client.sharedLock(name).tryLock())).isTrue();
                other.run(client.sharedLock(name)::unlock);
                assertThat(client.tryAcquire(name)).isEmpty();
            }
            assertThat(client.tryAcquire(name)).isPresent().get().satisfies(LockLease::release);
        }

        @Test
        void shouldReleaseOnceHoweverOftenClosed() throws Exception {
            String name = name();
            LockLease lease = client.tryAcquire(name).orElseThrow();
            lease.close();
            LockLease next = client.tryAcquire(name).orElseThrow();
            lease.release(); // must not release the next holder's lease
            lease.close();
            assertThat(next.isValid()).isTrue();
            assertThat(other.check(() -> client.lock(name).tryLock())).isFalse();
            next.release();
            assertThatThrownBy(lease::checkValid)
                    .isInstanceOf(LockLostException.class)
                    .hasMessageContaining("released");
        }

        @Test
        void shouldWaitForTheKeyUntilItsHolderReleasesIt() throws Exception {
            String name = name();
            LockLease held = client.tryAcquire(name).orElseThrow();
            CountDownLatch started = new CountDownLatch(1);
            Future<java.util.Optional<LockLease>> waiting = other.submit(() -> {
                started.countDown();
                return client.tryAcquire(name, Duration.ofSeconds(30));
            });
            started.await();
            assertThat(client.tryAcquire(name, Duration.ofMillis(50))).isEmpty();
            held.release();
            LockLease granted = waiting.get(30, TimeUnit.SECONDS).orElseThrow();
            assertThat(granted.isValid()).isTrue();
            granted.release();
        }

        @Test
        void shouldRefuseBadTimeouts() {
            assertThatThrownBy(() -> client.tryAcquire(name(), Duration.ofMillis(-1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("negative");
            assertThatThrownBy(() -> client.tryAcquireShared(name(), null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("null");
        }

        @Test
        void shouldTurnInvalidWhenTheClientCloses() {
            LockClient own = open("lease-close-" + KEYS.incrementAndGet());
            LockLease lease = own.tryAcquire(name()).orElseThrow();
            own.close();
            assertThat(lease.isValid()).isFalse();
            lease.release(); // a no-op, never a throw
        }
    }

    @Nested
    class Stacking {
        @Test
        void shouldNeedAsManyUnlocksAsLocks() throws Exception {
            DistributedLock lock = client.lock(name());
            lock.lock();
            lock.lock();
            assertThat(lock.tryLock()).isTrue();
            assertThat(lock.holdCount()).isEqualTo(3);
            lock.unlock();
            lock.unlock();
            assertThat(lock.isHeldByCurrentThread()).isTrue();
            assertThat(other.check(lock::tryLock)).isFalse();
            lock.unlock();
            assertThat(lock.isHeldByCurrentThread()).isFalse();
            assertThat(other.check(lock::tryLock)).isTrue();
            other.run(lock::unlock);
        }

        @Test
        void shouldCountSharedAndExclusiveSeparately() throws Exception {
            String name = name();
            DistributedLock exclusive = client.lock(name);
            DistributedLock shared = client.sharedLock(name);
            exclusive.lock();
            shared.lock(); // the exclusive holder may also take shared, as one PostgreSQL session can
            shared.lock();
            assertThat(exclusive.holdCount()).isEqualTo(1);
            assertThat(shared.holdCount()).isEqualTo(2);
            exclusive.unlock();
            assertThat(other.check(shared::tryLock))
                    .as("shared after the exclusive hold went")
                    .isTrue();
            other.run(shared::unlock);
            shared.unlock();
            shared.unlock();
            assertThat(other.check(exclusive::tryLock)).isTrue();
            other.run(exclusive::unlock);
        }

        @Test
        void shouldAllowUpgradeWhenNoOtherThreadHoldsShared() throws Exception {
            String name = name();
            DistributedLock shared = client.sharedLock(name);
            DistributedLock exclusive = client.lock(name);
            shared.lock();
            assertThat(exclusive.tryLock()).isTrue();
            exclusive.unlock();
            other.run(shared::lock);
            assertThat(exclusive.tryLock()).as("another thread shares it now").isFalse();
            other.run(shared::unlock);
            shared.unlock();
        }
    }

    @Nested
    class BetweenThreads {
        @Test
        void shouldExcludeEverythingWhileExclusive() throws Exception {
            String name = name();
            client.lock(name).lock();
            assertThat(other.check(() -> client.lock(name).tryLock())).isFalse();
            assertThat(other.check(() -> client.sharedLock(name).tryLock())).isFalse();
            client.lock(name).unlock();
        }

        @Test
        void shouldShareButExcludeExclusiveWhileShared() throws Exception {
            String name = name();
            client.sharedLock(name).lock();
            assertThat(other.check(() -> client.lock(name).tryLock())).isFalse();
            assertThat(other.check(() -> client.sharedLock(name).tryLock())).isTrue();
            other.run(() -> client.sharedLock(name).unlock());
            client.sharedLock(name).unlock();
        }

        @Test
        void shouldGrantAnythingWhenFree() throws Exception {
            assertThat(other.check(() -> client.lock(name()).tryLock())).isTrue();
            assertThat(other.check(() -> client.sharedLock(name()).tryLock())).isTrue();
        }

        @Test
        void shouldLetAWaiterInWhenTheHolderReleases() throws Exception {
            DistributedLock lock = client.lock(name());
            lock.lock();
            Future<Boolean> waiter = other.submit(() -> {
                boolean got = lock.tryLock(Duration.ofSeconds(30));
                lock.unlock();
                return got;
            });
            lock.unlock();
            assertThat(waiter.get(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Nested
    class TimeoutsAndInterrupts {
        @Test
        void shouldGiveUpAfterTheTimeoutWithoutHolding() throws Exception {
            DistributedLock lock = client.lock(name());
            lock.lock();
            assertThat(other.check(() -> lock.tryLock(Duration.ofMillis(100)))).isFalse();
            assertThat(other.check(lock::isHeldByCurrentThread)).isFalse();
            lock.unlock();
            assertThat(other.check(lock::tryLock)).isTrue();
            other.run(lock::unlock);
        }

        @Test
        void shouldStopWaitingWhenInterrupted() throws Exception {
            DistributedLock lock = client.lock(name());
            lock.lock();
            CountDownLatch started = new CountDownLatch(1);
            Thread[] waiterThread = new Thread[1];
            Future<String> waiter = other.submit(() -> {
                waiterThread[0] = Thread.currentThread();
                started.countDown();
                try {
                    lock.lockInterruptibly();
                    return "acquired";
                } catch (InterruptedException e) {
                    return "interrupted, held=" + lock.isHeldByCurrentThread();
                }
            });
            started.await();
            waiterThread[0].interrupt();
            assertThat(waiter.get(30, TimeUnit.SECONDS)).isEqualTo("interrupted, held=false");
            lock.unlock();
        }

        @Test
        void shouldThrowAtOnceWhenAlreadyInterrupted() {
            DistributedLock lock = client.lock(name());
            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> lock.tryLock(Duration.ofSeconds(1))).isInstanceOf(InterruptedException.class);
            assertThat(Thread.interrupted()).isFalse();
        }

        @Test
        void shouldKeepTheInterruptFlagOfAnUninterruptibleLock() throws Exception {
            DistributedLock lock = client.lock(name());
            String result = other.call(() -> {
                Thread.currentThread().interrupt();
                lock.lock();
                boolean flag = Thread.interrupted();
                lock.unlock();
                return "flag=" + flag;
            });
            assertThat(result).isEqualTo("flag=true");
        }
    }

    @Nested
    class Helpers {
        @Test
        void shouldRunAndReleaseEvenWhenTheActionThrows() throws Exception {
            DistributedLock lock = client.lock(name());
            assertThatThrownBy(() -> lock.runImmediately(() -> {
                        throw new IllegalStateException("boom");
                    }))
                    .hasMessage("boom");
            assertThat(lock.isHeldByCurrentThread()).isFalse();
            assertThat(lock.callImmediately(() -> 42).value()).isEqualTo(42);
            assertThat(lock.call(Duration.ofSeconds(1), () -> "x").orElse("y")).isEqualTo("x");
            assertThat(lock.run(Duration.ZERO, () -> {})).isTrue();
            assertThat(other.check(lock::tryLock)).isTrue();
        }

        @Test
        void shouldNotRunWhenTheLockIsTaken() throws Exception {
            DistributedLock lock = client.lock(name());
            other.run(lock::lock);
            AtomicInteger runs = new AtomicInteger();
            assertThat(lock.runImmediately(runs::incrementAndGet)).isFalse();
            LockResult<Integer> result = lock.call(Duration.ofMillis(50), runs::incrementAndGet);
            assertThat(result.acquired()).isFalse();
            assertThat(result.orElse(-1)).isEqualTo(-1);
            assertThatThrownBy(result::value).hasMessageContaining("not acquired");
            assertThat(runs).hasValue(0);
            other.run(lock::unlock);
        }
    }

    @Nested
    class Misuse {
        @Test
        void shouldRefuseUnlockByAThreadThatDoesNotHoldIt() throws Exception {
            DistributedLock lock = client.lock(name());
            assertThatThrownBy(lock::unlock)
                    .isInstanceOf(IllegalMonitorStateException.class)
                    .hasMessageContaining("does not hold");
            lock.lock();
            assertThatThrownBy(() -> other.run(lock::unlock)).isInstanceOf(IllegalMonitorStateException.class);
            assertThatThrownBy(() -> client.sharedLock(lock.key()).unlock())
                    .as("shared is counted apart from exclusive")
                    .isInstanceOf(IllegalMonitorStateException.class);
            lock.unlock();
        }

        @Test
        void shouldRejectBadArguments() {
            DistributedLock lock = client.lock(name());
            assertThatThrownBy(() -> lock.tryLock(Duration.ofMillis(-1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("negative");
            assertThatThrownBy(() -> lock.tryLock(null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("null");
            assertThatThrownBy(() -> lock.tryLock(-5, TimeUnit.SECONDS)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> client.lock((String) null)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> client.lock("")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> client.lock((LockKey) null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> lock.runImmediately(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(lock::newCondition).isInstanceOf(UnsupportedOperationException.class);
        }

        @Test
        void shouldRefuseUseAfterCloseAndInvalidateHolds() {
            LockClient c = open("closing");
            DistributedLock lock = c.lock(name());
            lock.lock();
            assertThat(lock.isValid()).isTrue();
            c.close();
            c.close(); // idempotent
            assertThat(lock.isValid()).isFalse();
            assertThatThrownBy(lock::checkValid).isInstanceOf(LockLostException.class);
            assertThatThrownBy(() -> c.lock(name()).tryLock())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
            assertThatThrownBy(() -> c.isLocked(name())).isInstanceOf(IllegalStateException.class);
            lock.unlock(); // balancing a hold of a closed client is allowed
        }
    }

    @Nested
    class Observation {
        @Test
        void shouldReportHolderAndValidity() throws Exception {
            String name = name();
            assertThat(client.isLocked(name)).isFalse();
            assertThat(client.holder(name)).isEmpty();
            DistributedLock lock = client.lock(name);
            lock.lock();
            assertThat(client.isLocked(name)).isTrue();
            assertThat(client.holder(name).orElseThrow().mode()).isEqualTo(LockMode.EXCLUSIVE);
            assertThat(client.holder(name).orElseThrow().applicationName()).isEqualTo(client.instanceId());
            assertThat(lock.isValid()).isTrue();
            assertThat(other.check(lock::isValid)).as("validity is per thread").isFalse();
            lock.unlock();
            assertThat(client.isLocked(name)).isFalse();
        }
    }
}
