package dev.baton.lock.internal;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.baton.lock.LockKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The registry of a client's keys: finds and pins a key's {@link KeyState} (a pinned state is never dropped), counts
 * distinct keys against the client's {@link KeyCap}, and knows whether the client is closed. Transitions of a key are its
 * state's own; nothing here waits or calls PostgreSQL.
 *
 * <p>Lock order: {@link #lock} may be held while a key's lock is taken, never the other way round. The counters are
 * atomic so that a key's state can use them under its own lock.
 */
final class KeyTable {
    private final String instanceId;
    private final Backend backend;
    private final ReentrantLock lock = new ReentrantLock();

    @GuardedBy("lock")
    private final Map<LockKey, Pinned> states = new HashMap<>();

    private final KeyCap cap;
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

    KeyTable(String instanceId, KeyCap cap, Backend backend) {
        this.instanceId = instanceId;
        this.cap = cap;
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

    void reserveKey(LockKey key) {
        cap.reserve(key);
    }

    void unreserveKey() {
        cap.unreserve();
    }

    void serverKeyTaken(boolean reserved) {
        cap.serverKeyTaken(reserved);
    }

    void serverKeyReleased() {
        cap.serverKeyReleased();
    }

    int serverKeys() {
        return cap.serverKeys();
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
