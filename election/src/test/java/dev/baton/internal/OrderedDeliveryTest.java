package dev.baton.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class OrderedDeliveryTest {

    /**
     * The delivery thread ends after its idle time just as two events come: the first is queued while the ending
     * thread still counts, the second after it is gone. A review found the second delivered first (REVOKED before
     * ELECTED). The queue's isEmpty() is where ThreadPoolExecutor's ending worker looks, so it holds it there.
     */
    @Test
    void shouldKeepOrderWhenTheIdleThreadEndsAsEventsArrive() throws Exception {
        CountDownLatch workerLooked = new CountDownLatch(1);
        CountDownLatch firstQueued = new CountDownLatch(1);
        CountDownLatch workerExiting = new CountDownLatch(1);
        CountDownLatch secondQueued = new CountDownLatch(1);
        Thread[] firstWorker = new Thread[1];
        LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>() {
            private static final long serialVersionUID = 1L;
            private int looks;

            @Override
            public boolean isEmpty() {
                boolean empty = super.isEmpty();
                if (Thread.currentThread() == firstWorker[0]) {
                    looks++;
                    if (looks == 1) {
                        workerLooked.countDown();
                        awaitQuietly(firstQueued);
                    } else if (looks == 2) {
                        workerExiting.countDown();
                        awaitQuietly(secondQueued);
                    }
                }
                return empty;
            }
        };
        List<String> seen = new CopyOnWriteArrayList<>();
        Consumer<String> listener = seen::add;
        OrderedDelivery<Consumer<String>> delivery =
                new OrderedDelivery<>(List.of(listener), "baton-test-events", TimeUnit.MILLISECONDS.toNanos(1), queue);
        CountDownLatch zeroSeen = new CountDownLatch(1);
        delivery.deliver("e0", l -> {
            firstWorker[0] = Thread.currentThread();
            l.accept("e0");
            zeroSeen.countDown();
        });
        assertThat(zeroSeen.await(10, TimeUnit.SECONDS)).isTrue();
        boolean raced = workerLooked.await(10, TimeUnit.SECONDS);
        delivery.deliver("e1", l -> l.accept("e1"));
        firstQueued.countDown();
        raced &= workerExiting.await(10, TimeUnit.SECONDS);
        delivery.deliver("e2", l -> l.accept("e2"));
        secondQueued.countDown();
        delivery.shutdown(Duration.ofSeconds(10));
        assertThat(seen).containsExactly("e0", "e1", "e2");
        assertThat(raced)
                .as("the ending worker was held where it races new events")
                .isTrue();
    }

    @Test
    void shouldSkipAThrowingListenerAndStillTellTheOthers() {
        List<String> seen = new CopyOnWriteArrayList<>();
        Consumer<String> throwing = s -> {
            throw new IllegalStateException("listener bug");
        };
        OrderedDelivery<Consumer<String>> delivery =
                new OrderedDelivery<>(List.of(throwing, seen::add), "baton-test-events");
        delivery.deliver("e", l -> l.accept("e"));
        delivery.shutdown(Duration.ofSeconds(10));
        assertThat(seen).containsExactly("e");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
