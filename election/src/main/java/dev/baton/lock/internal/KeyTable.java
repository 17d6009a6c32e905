package dev.baton.lock.internal;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.baton.lock.LockKey;
import dev.baton.lock.TooManyLocksException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The registry of a client's keys: finds and pins a key's {@link KeyState} (a pinned state is never dropped), counts
 * distinct keys against the client's cap, and knows whether the client is closed. Transitions of a key are its
 * state's own; nothing here waits or calls PostgreSQL.
 *
 * <p>Lock order: {@link #lock} may be held while a key's lock is taken, never the other way round. The counters are
 * atomic so that a key's state can use them under its own lock.
 */
final class KeyTable {
    private final String instanceId;
    private final int maxKeys;
    private final Backend backend;
    private final ReentrantLock lock = new ReentrantLock();

    @GuardedBy("lock")
    private final Map<LockKey, Pinned> states = new HashMap<>();

    private final AtomicInteger serverKeys = new AtomicInteger(); // keys with a server hold (valid or lost)
    private final AtomicInteger counted = new AtomicInteger(); // server keys + new keys being acquired: the cap's count
    private final AtomicLong tokens = new AtomicLong();
    private volatile boolean closed;

    /** A state and how many operations use it; reached only under {@link #lock}. */
    private static final class Pinned {
        final KeyState state;
        int pins;

        Pinned(KeyState state) {
            this.state = state;
        }
    }

    KeyTable(String instanceId, int maxKeys, Backend backend) {
        this.instanceId = instanceId;
        this.maxKeys = maxKeys;
        this.backend = backend;
    }

    /** The state of {@code key}, created if needed, kept until {@link #unpin}. */
    KeyState pin(LockKey key) {
        lock.lock();
        try {
            Pinned p = states.computeIfAbsent(key, k -> new Pinned(new KeyState(k, this, backend)));
            p.pins++;
            return p.state;
        } finally {
            lock.unlock();
        }
    }

    /** The state of {@code key} if it exists, pinned; null if nothing of this client uses the key. */
    KeyState pinExisting(LockKey key) {
        lock.lock();
        try {
            Pinned p = states.get(key);
            if (p == null) {
                return null;
            }
            p.pins++;
            return p.state;
        } finally {
            lock.unlock();
        }
    }

    /** Undoes a pin; a state nothing uses any more is dropped. */
    void unpin(KeyState ks) {
        lock.lock();
        try {
            Pinned p = states.get(ks.key);
            if (--p.pins == 0 && ks.unused()) {
                states.remove(ks.key);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Every state in use now (a snapshot). */
    List<KeyState> states() {
        lock.lock();
        try {
            List<KeyState> all = new ArrayList<>(states.size());
            states.values().forEach(p -> all.add(p.state));
            return all;
        } finally {
            lock.unlock();
        }
    }

    /** Counts a key without a server hold against the cap from its first request until it is installed. */
    void reserveKey(LockKey key) {
        for (int n = counted.get(); ; n = counted.get()) {
            if (n >= maxKeys) {
                throw new TooManyLocksException("Client '" + instanceId + "' already holds " + serverKeys.get()
                        + " distinct keys (" + n + " with those being acquired), its maximum; refusing " + key
                        + " so PostgreSQL's shared lock table is not exhausted. Release locks, or raise"
                        + " LockClient.Builder.maxKeys (and the server's max_locks_per_transaction with it)");
            }
            if (counted.compareAndSet(n, n + 1)) {
                return;
            }
        }
    }

    /** Ends a {@link #reserveKey} that did not become a server key. */
    void unreserveKey() {
        counted.decrementAndGet();
    }

    /**
     * A key got its first server hold. Normally its reservation becomes its count; without one (a lost hold of the
     * other mode was dropped while we waited) it is counted past the cap check, at most once per such race.
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

    long nextToken() {
        return tokens.incrementAndGet();
    }

    boolean isClosed() {
        return closed;
    }

    void requireOpen() {
        if (closed) {
            throw new IllegalStateException("LockClient '" + instanceId + "' is closed; create a new client");
        }
    }

    /** Marks the client closed and wakes every waiter; false if it already was. */
    boolean close() {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            states.values().forEach(p -> p.state.wake());
            return true;
        } finally {
            lock.unlock();
        }
    }
}
