package dev.baton.lock.internal;

import static dev.baton.lock.internal.KeyState.EX;

import dev.baton.lock.LockKey;
import dev.baton.lock.LockMode;
import dev.baton.lock.TooManyLocksException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The engine's state: every key in use with its local holders and server holds, the count of distinct keys against
 * the client's cap, and whether the client is closed. Everything here is guarded by {@link #lock}; methods marked
 * "locked" expect the caller to hold it, the others take it themselves.
 */
final class KeyTable {
    final ReentrantLock lock = new ReentrantLock();
    private final Map<LockKey, KeyState> states = new HashMap<>();
    private final String instanceId;
    private final int maxKeys;
    private long nextToken;
    private int serverKeys; // keys with a server hold (valid or lost)
    private int pendingKeys; // new keys being acquired, counted against the cap
    private boolean closed;

    KeyTable(String instanceId, int maxKeys) {
        this.instanceId = instanceId;
        this.maxKeys = maxKeys;
    }

    /** Locked: the state of {@code key}, kept while pinned. */
    KeyState pin(LockKey key) {
        KeyState ks = states.computeIfAbsent(key, k -> new KeyState(k, lock.newCondition()));
        ks.pins++;
        return ks;
    }

    /** Locked: undoes {@link #pin}; an unused state is dropped. */
    void unpin(KeyState ks) {
        ks.pins--;
        cleanup(ks);
    }

    /** Locked: the state of {@code key}, or null. */
    KeyState get(LockKey key) {
        return states.get(key);
    }

    /** Locked: drops the state if nothing uses it any more. */
    void cleanup(KeyState ks) {
        if (ks.unused()) {
            states.remove(ks.key, ks);
        }
    }

    /** Locked: counts a key without a server hold against the cap while it is being acquired. */
    void reserve(KeyState ks) {
        if (serverKeys + pendingKeys >= maxKeys) {
            throw new TooManyLocksException("Client '" + instanceId + "' already holds " + serverKeys
                    + " distinct keys, its maximum; refusing " + ks.key + " so PostgreSQL's shared lock table is not"
                    + " exhausted. Release locks, or raise LockClient.Builder.maxKeys (and the server's"
                    + " max_locks_per_transaction with it)");
        }
        pendingKeys++;
    }

    /** Locked: ends a {@link #reserve}. */
    void unreserve() {
        pendingKeys--;
    }

    /** Locked: records a new server hold of {@code mode} and returns its token. */
    long install(KeyState ks, int mode, Backend.Hold hold) {
        if (!ks.hasServerHold()) {
            serverKeys++;
        }
        ks.serverToken[mode] = ++nextToken;
        ks.serverHold[mode] = hold;
        return ks.serverToken[mode];
    }

    /** Locked: forgets the server hold of {@code mode} (the caller unlocks it) and returns it. */
    Backend.Hold uninstall(KeyState ks, int mode) {
        Backend.Hold hold = ks.serverHold[mode];
        ks.serverToken[mode] = 0;
        ks.serverHold[mode] = null;
        if (!ks.hasServerHold()) {
            serverKeys--;
        }
        return hold;
    }

    /** Locked: whether the client is closed. */
    boolean closedLocked() {
        return closed;
    }

    /** Locked: throws if the client is closed. */
    void requireOpen() {
        if (closed) {
            throw new IllegalStateException("LockClient '" + instanceId + "' is closed; create a new client");
        }
    }

    /** Locked: the keys whose server hold {@code lostHere} matches; wakes every waiter to look again. */
    Set<LockKey> lostWith(Predicate<Backend.Hold> lostHere) {
        Set<LockKey> lost = new HashSet<>();
        for (KeyState ks : states.values()) {
            for (int m = 0; m < 2; m++) {
                if (ks.serverHold[m] != null && lostHere.test(ks.serverHold[m])) {
                    lost.add(ks.key);
                }
            }
            ks.changed.signalAll();
        }
        return lost;
    }

    static boolean serverValid(KeyState ks, int mode) {
        return ks.serverHold[mode] != null && ks.serverHold[mode].valid();
    }

    static boolean tokenValid(KeyState ks, int mode, long token) {
        return token != 0 && ks.serverToken[mode] == token && serverValid(ks, mode);
    }

    int holdCount(LockKey key, LockMode mode, Object owner) {
        lock.lock();
        try {
            KeyState ks = states.get(key);
            return ks == null ? 0 : ks.holdCount(owner, mode.ordinal());
        } finally {
            lock.unlock();
        }
    }

    /** Null if the current thread holds the lock validly, else why not. */
    String invalidReason(LockKey key, LockMode mode, Object owner) {
        lock.lock();
        try {
            KeyState ks = states.get(key);
            long token = ks == null ? 0 : ks.tokenOf(owner, mode.ordinal());
            if (token == 0) {
                return owner instanceof Thread ? "the current thread does not hold it" : "it was released";
            }
            if (closed) {
                return "the client is closed";
            }
            return tokenValid(ks, mode.ordinal(), token)
                    ? null
                    : "the session that held it was lost, or PostgreSQL reported it free";
        } finally {
            lock.unlock();
        }
    }

    /** Local holders as (mode ordinal, since millis), for the in-memory client's {@code holders()}. */
    List<long[]> localHolds(LockKey key) {
        lock.lock();
        try {
            KeyState ks = states.get(key);
            List<long[]> result = new ArrayList<>();
            if (ks != null && ks.exclusiveOwner != null) {
                result.add(new long[] {EX, ks.exclusiveSince});
            }
            if (ks != null) {
                ks.shared.values().forEach(h -> result.add(new long[] {KeyState.SH, h.since}));
            }
            return result;
        } finally {
            lock.unlock();
        }
    }

    int serverKeys() {
        lock.lock();
        try {
            return serverKeys;
        } finally {
            lock.unlock();
        }
    }

    /** Marks the client closed and wakes every waiter; returns false if it already was. */
    boolean close() {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            states.values().forEach(ks -> ks.changed.signalAll());
            return true;
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }
}
