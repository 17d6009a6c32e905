package dev.baton.lock.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.lock.LockClient;
import dev.baton.lock.LockKey;
import dev.baton.lock.LockLease;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class KeySetsTest {
    private static final LockKey FIRST = LockKey.of(1);
    private static final LockKey SECOND = LockKey.of(2);

    /** A client whose second key's wait is interrupted and whose first lease's release then fails. */
    private static LockClient failingClient(List<String> releases) {
        InvocationHandler leaseCalls = (proxy, method, args) -> {
            if (method.getName().equals("release")) {
                releases.add("first");
                throw new IllegalStateException("release failed");
            }
            return method.isDefault() ? InvocationHandler.invokeDefault(proxy, method, args) : null;
        };
        LockLease first = (LockLease)
                Proxy.newProxyInstance(LockLease.class.getClassLoader(), new Class<?>[] {LockLease.class}, leaseCalls);
        InvocationHandler clientCalls = (proxy, method, args) -> {
            if (method.getName().equals("tryAcquire") && args.length == 2) {
                if (args[0].equals(FIRST)) {
                    return Optional.of(first);
                }
                throw new InterruptedException("interrupted waiting for the second key");
            }
            if (method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            throw new UnsupportedOperationException(method.getName());
        };
        return (LockClient) Proxy.newProxyInstance(
                LockClient.class.getClassLoader(), new Class<?>[] {LockClient.class}, clientCalls);
    }

    @Test
    void shouldKeepTheCallersExceptionWhenGivingBackTheTakenKeysFails() {
        List<String> releases = new CopyOnWriteArrayList<>();
        LockClient client = failingClient(releases);
        assertThatThrownBy(() -> client.lockAll(Duration.ofSeconds(1), SECOND, FIRST))
                .isInstanceOf(InterruptedException.class)
                .satisfies(
                        e -> assertThat(e.getSuppressed()).singleElement().isInstanceOf(IllegalStateException.class));
        assertThat(releases).containsExactly("first");
    }

    @Test
    void shouldOrderKeysByValueAndRefuseDuplicatesByName() {
        assertThat(KeySets.ordered(LockKey.of(5), LockKey.of(-3), LockKey.of(0)))
                .containsExactly(LockKey.of(-3), LockKey.of(0), LockKey.of(5));
        assertThatThrownBy(() -> KeySets.ordered(LockKey.named("a"), LockKey.named("a")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> KeySets.ordered(LockKey.of(1), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null");
    }
}
