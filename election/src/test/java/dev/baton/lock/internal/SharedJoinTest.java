package dev.baton.lock.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.lock.LockClient;
import dev.baton.lock.LockKey;
import dev.baton.lock.LockMode;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A new local shared holder beside this client's shared server hold waits behind another session's exclusive waiter,
 * as PostgreSQL queues another session's shared request (issue 11, item 4), over a scripted backend whose look at the
 * server's queue a test sets. {@code PgLockFairnessIT} shows the same against PostgreSQL.
 */
@Timeout(30)
class SharedJoinTest {
    private static final LockKey K = LockKey.named("shared-join");
    private final ScriptedBackend backend = new ScriptedBackend();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final LockEngine engine =
            new LockEngine("join", 10, List.of(), LockMetrics.Factory.NONE, (e, m) -> backend);

    SharedJoinTest() {
        engine.bind(LockClient.inMemory());
    }

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    @Test
    void shouldRefuseANewSharedTryWhileAnotherSessionWaitsExclusively() throws Exception {
        assertThat(engine.acquire(K, LockMode.SHARED, "A", 0, false)).isTrue();
        backend.exclusiveWaiter = true;
        assertThat(engine.acquire(K, LockMode.SHARED, "B", 0, false))
                .as("a new holder's try fails, as pg_try_advisory_lock_shared of a third session does")
                .isFalse();
        assertThat(backend.looks.get()).isEqualTo(1);
        assertThat(engine.acquire(K, LockMode.SHARED, "A", 0, false))
                .as("re-entry by a holder jumps the queue, as it does in PostgreSQL")
                .isTrue();
        assertThat(backend.looks.get()).as("re-entry looks at nothing").isEqualTo(1);

        backend.exclusiveWaiter = false; // the writer gave up
        assertThat(engine.acquire(K, LockMode.SHARED, "B", 0, false))
                .as("a later try looks again and joins")
                .isTrue();
        assertThat(backend.looks.get()).isEqualTo(2);
        assertThat(backend.tries.get()).as("joins share A's server hold").isEqualTo(1);
        engine.release(K, LockMode.SHARED, "A");
        engine.release(K, LockMode.SHARED, "A");
        engine.release(K, LockMode.SHARED, "B");
        assertThat(backend.released).hasSize(1);
    }

    @Test
    void shouldLetTheExclusiveHolderTakeSharedWithoutLooking() throws Exception {
        assertThat(engine.acquire(K, LockMode.EXCLUSIVE, "X", 0, false)).isTrue();
        backend.exclusiveWaiter = true;
        assertThat(engine.acquire(K, LockMode.SHARED, "X", 0, false)).isTrue();
        assertThat(engine.acquire(K, LockMode.SHARED, "Y", 0, false)).isFalse();
        assertThat(backend.looks.get()).isZero();
    }

    @Test
    void shouldQueueANewSharedWaiterInPostgresBehindTheWriterAndJoinWhenItIsGranted() throws Exception {
        assertThat(engine.acquire(K, LockMode.SHARED, "A", 0, false)).isTrue();
        backend.exclusiveWaiter = true;
        CountDownLatch queued = new CountDownLatch(1);
        CountDownLatch writerGone = new CountDownLatch(1);
        ScriptedBackend.Hold behindWriter = new ScriptedBackend.Hold("behind-writer");
        backend.onAwait = call -> {
            queued.countDown();
            writerGone.await();
            return behindWriter;
        };
        Future<Boolean> b = threads.submit(() -> engine.acquire(K, LockMode.SHARED, "B", -1, true));
        assertThat(queued.await(10, TimeUnit.SECONDS))
                .as("B waits natively, behind the writer")
                .isTrue();
        Future<Boolean> c = threads.submit(() -> engine.acquire(K, LockMode.SHARED, "C", -1, true));
        assertThat(engine.acquire(K, LockMode.SHARED, "D", 0, false))
                .as("a try still fails while B waits behind the writer")
                .isFalse();
        assertThat(b.isDone() || c.isDone()).isFalse();

        // The writer gives up: a look from now on finds none (C's thread may only now be reaching the engine; with the
        // writer still reported it would rightly queue natively too), and PostgreSQL grants B's queued request.
        backend.exclusiveWaiter = false;
        writerGone.countDown();
        assertThat(b.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(c.get(10, TimeUnit.SECONDS))
                .as("C was waiting behind the writer too")
                .isTrue();
        assertThat(backend.released)
                .as("the hold granted behind the writer is given back: A's hold serves every holder")
                .containsExactly(behindWriter);
        assertThat(backend.awaits.get()).as("one native wait for every joiner").isEqualTo(1);
        for (String holder : List.of("A", "B", "C")) {
            assertThat(engine.invalidReason(K, LockMode.SHARED, holder)).isNull();
            engine.release(K, LockMode.SHARED, holder);
        }
        assertThat(backend.released).hasSize(2);
    }

    @Test
    void shouldNotDeadlockWhenTheOnlyHolderNestsWhileAJoinerWaits() throws Exception {
        assertThat(engine.acquire(K, LockMode.SHARED, "A", 0, false)).isTrue();
        backend.exclusiveWaiter = true;
        CountDownLatch queued = new CountDownLatch(1);
        backend.onAwait = call -> {
            queued.countDown();
            return null; // each native slice ends without a grant: the writer is still ahead
        };
        Future<Boolean> b = threads.submit(() -> engine.acquire(K, LockMode.SHARED, "B", -1, true));
        assertThat(queued.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(engine.acquire(K, LockMode.SHARED, "A", 0, false))
                .as("A nests")
                .isTrue();
        assertThat(engine.acquire(K, LockMode.EXCLUSIVE, "A", TimeUnit.SECONDS.toNanos(5), true))
                .as("A, the only holder, upgrades beside its own hold, as PostgreSQL lets it go ahead of the writer")
                .isTrue();
        engine.release(K, LockMode.EXCLUSIVE, "A");
        engine.release(K, LockMode.SHARED, "A");
        engine.release(K, LockMode.SHARED, "A");
        backend.exclusiveWaiter = false;
        backend.onAwait = call -> new ScriptedBackend.Hold("after-writer-" + call);
        assertThat(b.get(10, TimeUnit.SECONDS))
                .as("A's hold went, so B is granted on the server once the writer is done")
                .isTrue();
        assertThat(engine.invalidReason(K, LockMode.SHARED, "B")).isNull();
    }
}
