package dev.baton.lock.internal;

import dev.baton.lock.LockKey;
import dev.baton.lock.TooManyLocksException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client's cap on distinct keys, which protects PostgreSQL's shared lock table: a new key is counted from its
 * first request until its last server hold is released. Lock-free, so a key's state uses it under its own lock.
 */
final class KeyCap {
    private final String instanceId;
    private final int maxKeys;
    private final AtomicInteger serverKeys = new AtomicInteger(); // keys with a server hold (valid or lost)
    private final AtomicInteger counted = new AtomicInteger(); // server keys + new keys being acquired

    KeyCap(String instanceId, int maxKeys) {
        this.instanceId = instanceId;
        this.maxKeys = maxKeys;
    }

    /** Counts a key without a server hold against the cap from its first request until it is installed. */
    void reserve(LockKey key) {
        for (int n = counted.get(); ; n = counted.get()) {
            if (n >= maxKeys) {
                int held = serverKeys.get();
                throw new TooManyLocksException("Client '" + instanceId + "' already holds " + held + " distinct keys"
                        + (n > held ? " (" + n + " with those being acquired)" : "") + ", its maximum; refusing " + key
                        + " so PostgreSQL's shared lock table is not exhausted. Release locks, or raise"
                        + " LockClient.Builder.maxKeys (and the server's max_locks_per_transaction with it)");
            }
            if (counted.compareAndSet(n, n + 1)) {
                return;
            }
        }
    }

    /** Ends a {@link #reserve} that did not become a server key. */
    void unreserve() {
        counted.decrementAndGet();
    }

    /**
     * A key got its first server hold. Normally its reservation becomes its count. Without one (the key's other-mode
     * hold, lost or valid, was released while this request was in flight) it is counted past the cap check: one key
     * over the cap per key in that race, for as long as the race lasts.
     */
    void serverKeyTaken(boolean reserved) {
        serverKeys.incrementAndGet();
        if (!reserved) {
            counted.incrementAndGet();
        }
    }

    /** A key's last server hold was released. */
    void serverKeyReleased() {
        serverKeys.decrementAndGet();
        counted.decrementAndGet();
    }

    /** Keys with a server hold, valid or lost. */
    int serverKeys() {
        return serverKeys.get();
    }

    /** Server keys plus keys being acquired: what the cap compares with {@code maxKeys}. */
    int counted() {
        return counted.get();
    }
}
