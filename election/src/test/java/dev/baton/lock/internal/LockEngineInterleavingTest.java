package dev.baton.lock.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.MetricRegistryListener;
import dev.baton.lock.LockClient;
import dev.baton.lock.LockKey;
import dev.baton.lock.LockMode;
import dev.baton.lock.TooManyLocksException;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The engine over a scripted backend, through interleavings that a review found and PostgreSQL makes too rare to hit
 * on purpose. Each test failed before its fix.
 */
@Timeout(30)
class LockEngineInterleavingTest {
    private static final LockKey K = LockKey.named("interleaving");
    private final ScriptedBackend backend = new ScriptedBackend();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    private LockEngine engine(int maxKeys) {
        LockEngine engine = new LockEngine("scripted", maxKeys, List.of(), LockMetrics.Factory.NONE, (e, m) -> backend);
        engine.bind(LockClient.inMemory());
        return engine;
    }

    @Test
    void shouldKeepTheKeyCapAfterRemoteWaitsThatEndWithoutAGrant() throws Exception {
        LockEngine engine = engine(1);
        backend.onTry = call -> null; // held by another session
        backend.onAwait = call -> null; // every native wait slice ends without a grant
        assertThat(engine.acquire(K, LockMode.EXCLUSIVE, "waiter", TimeUnit.MILLISECONDS.toNanos(30), true))
                .isFalse();
        assertThat(backend.awaits.get())
                .as("remote waits that returned nothing")
                .isPositive();

        backend.onTry = call -> new ScriptedBackend.Hold("granted-" + call);
        assertThat(engine.acquire(LockKey.named("first"), LockMode.EXCLUSIVE, "a", 0, false))
                .isTrue();
        assertThatThrownBy(() -> engine.acquire(LockKey.named("second"), LockMode.EXCLUSIVE, "b", 0, false))
                .isInstanceOf(TooManyLocksException.class)
                .hasMessageContaining("already holds 1 distinct keys, its maximum");
    }

    @Test
    void shouldGrantLocallyWhenItsOwnGrantLostTheRaceToAnotherHolderOfThisClient() throws Exception {
        LockEngine engine = engine(10);
        CountDownLatch awaitEntered = new CountDownLatch(1);
        CountDownLatch awaitGo = new CountDownLatch(1);
        CountDownLatch tryEntered = new CountDownLatch(1);
        CountDownLatch tryGo = new CountDownLatch(1);
        ScriptedBackend.Hold late = new ScriptedBackend.Hold("late");
        backend.onTry = call -> {
            if (call == 1) {
                return null; // the remote waiter's first try: held elsewhere
            }
            tryEntered.countDown();
            tryGo.await();
            return late;
        };
        backend.onAwait = call -> {
            awaitEntered.countDown();
            awaitGo.await();
            return new ScriptedBackend.Hold("waited");
        };
        Future<Boolean> waiter = threads.submit(() -> engine.acquire(K, LockMode.SHARED, "A", -1, true));
        assertThat(awaitEntered.await(10, TimeUnit.SECONDS)).isTrue();
        Future<Boolean> trier = threads.submit(() -> engine.acquire(K, LockMode.SHARED, "B", 0, false));
        assertThat(tryEntered.await(10, TimeUnit.SECONDS)).isTrue();
        awaitGo.countDown();
        assertThat(waiter.get(10, TimeUnit.SECONDS)).isTrue();
        tryGo.countDown();
        assertThat(trier.get(10, TimeUnit.SECONDS))
                .as("B may hold the shared lock this client already holds")
                .isTrue();
        assertThat(backend.released).containsExactly(late);
        assertThat(engine.invalidReason(K, LockMode.SHARED, "B")).isNull();
    }

    @Test
    void shouldAnswerAnInterruptWhileUpgradingBesideItsOwnSharedHold() throws Exception {
        LockEngine engine = engine(10);
        CountDownLatch asked = new CountDownLatch(1);
        backend.onBeside = call -> {
            asked.countDown();
            return null; // another session's shared hold blocks the upgrade
        };
        AtomicReference<Thread> upgrader = new AtomicReference<>();
        Future<Boolean> upgrade = threads.submit(() -> {
            upgrader.set(Thread.currentThread());
            engine.acquire(K, LockMode.SHARED, "T", 0, false);
            return engine.acquire(K, LockMode.EXCLUSIVE, "T", -1, true);
        });
        assertThat(asked.await(10, TimeUnit.SECONDS)).isTrue();
        upgrader.get().interrupt();
        assertThatThrownBy(() -> upgrade.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(InterruptedException.class);
    }

    @Test
    void shouldGiveBackTheLostHoldItReplaces() throws Exception {
        LockEngine engine = engine(10);
        ScriptedBackend.Hold first = new ScriptedBackend.Hold("first");
        backend.onTry = call -> call == 1 ? first : new ScriptedBackend.Hold("second");
        assertThat(engine.acquire(K, LockMode.SHARED, "S1", 0, false)).isTrue();
        first.valid = false; // its (waiter) session died; S1 has not unlocked yet
        assertThat(engine.acquire(K, LockMode.SHARED, "S2", 0, false)).isTrue();
        assertThat(backend.released)
                .as("the replaced hold is given to the backend, which frees its waiter session")
                .containsExactly(first);
        engine.release(K, LockMode.SHARED, "S1");
        engine.release(K, LockMode.SHARED, "S2");
        assertThat(backend.released).hasSize(2);
    }

    @Test
    void shouldNotHandOutAHoldWhoseSessionDiedBeforeItWasInstalled() throws Exception {
        LockEngine engine = engine(10);
        backend.onTry = call -> {
            ScriptedBackend.Hold hold = new ScriptedBackend.Hold("try-" + call);
            hold.valid = call > 1; // the first grant's session died while the answer travelled
            return hold;
        };
        assertThat(engine.acquire(K, LockMode.EXCLUSIVE, "owner", 0, false)).isTrue();
        assertThat(backend.tries.get()).isEqualTo(2);
        assertThat(engine.invalidReason(K, LockMode.EXCLUSIVE, "owner")).isNull();
    }

    @Test
    void shouldReadTheHeldKeysGaugeAsSoonAsItIsRegistered() {
        MetricRegistry registry = new MetricRegistry();
        AtomicReference<Object> firstReading = new AtomicReference<>();
        registry.addListener(new MetricRegistryListener.Base() {
            @Override
            public void onGaugeAdded(String name, Gauge<?> gauge) {
                firstReading.set(gauge.getValue());
            }
        });
        try (LockClient client = LockClient.builder("jdbc:postgresql://127.0.0.1:1/unused", new Properties())
                .instanceId("gauge-early")
                .metrics(registry)
                .build()) {
            assertThat(firstReading.get()).isEqualTo(0);
            assertThat(client.instanceId()).isEqualTo("gauge-early");
        }
    }
}
