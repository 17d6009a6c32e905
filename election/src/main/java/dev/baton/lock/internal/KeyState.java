package dev.baton.lock.internal;

import dev.baton.lock.LockKey;
import dev.baton.lock.LockMode;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;

/**
 * The JVM's view of one key: which threads hold it locally and whether the session holds it on the server. Every field
 * is guarded by the owning {@link LockEngine}'s lock.
 */
final class KeyState {
    static final int EX = LockMode.EXCLUSIVE.ordinal();
    static final int SH = LockMode.SHARED.ordinal();

    final LockKey key;
    /** Signalled on every change of holders, busy or remote-waiter flags. */
    final Condition changed;

    Object exclusiveOwner; // a Thread, or a lease
    int exclusiveCount;
    long exclusiveToken;
    long exclusiveSince;
    final Map<Object, Hold> shared = new HashMap<>(4);

    /** Per mode: the token of the server hold (0: none); local holds carry it to tell their hold from a later one. */
    final long[] serverToken = new long[2];
    /** Per mode: the server hold itself (null: none). */
    final Backend.Hold[] serverHold = new Backend.Hold[2];
    /** A server call for this key is in flight; others wait so that server holds match local counts. */
    boolean busy;
    /** The last local hold of a mode is being released on the server; acquirers wait for it to finish. */
    boolean releasing;
    /** One thread of this JVM waits for another session to release the key; the others wait on {@link #changed}. */
    boolean remoteWaiter;
    /** Threads inside acquire for this key; the state is kept while any exist. */
    int pins;

    KeyState(LockKey key, Condition changed) {
        this.key = key;
        this.changed = changed;
    }

    /** Whether {@code thread} may hold {@code mode} given the other local holders (re-entry is handled before). */
    boolean compatible(Object thread, int mode) {
        if (mode == EX) {
            return exclusiveOwner == null && (shared.isEmpty() || (shared.size() == 1 && shared.containsKey(thread)));
        }
        return exclusiveOwner == null || exclusiveOwner == thread;
    }

    /** How many holds {@code thread} has in {@code mode}. */
    int holdCount(Object thread, int mode) {
        if (mode == EX) {
            return exclusiveOwner == thread ? exclusiveCount : 0;
        }
        Hold own = shared.get(thread);
        return own == null ? 0 : own.count;
    }

    /** The token of {@code thread}'s hold in {@code mode}, 0 if it holds none. */
    long tokenOf(Object thread, int mode) {
        if (mode == EX) {
            return exclusiveOwner == thread ? exclusiveToken : 0;
        }
        Hold own = shared.get(thread);
        return own == null ? 0 : own.token;
    }

    /** Gives {@code thread} its first hold in {@code mode}, backed by the server hold {@code token}. */
    void grant(Object thread, int mode, long token) {
        if (mode == EX) {
            exclusiveOwner = thread;
            exclusiveCount = 1;
            exclusiveToken = token;
            exclusiveSince = System.currentTimeMillis();
        } else {
            shared.put(thread, new Hold(token));
        }
    }

    /** One more (stacked) hold for a thread that already holds {@code mode}. */
    void reenter(Object thread, int mode) {
        if (mode == EX) {
            exclusiveCount++;
        } else {
            shared.get(thread).count++;
        }
    }

    /** Drops one of {@code thread}'s holds in {@code mode}; true if that was its last one. */
    boolean releaseOne(Object thread, int mode) {
        if (mode == EX) {
            if (--exclusiveCount > 0) {
                return false;
            }
            exclusiveOwner = null;
            exclusiveToken = 0;
            return true;
        }
        Hold own = shared.get(thread);
        if (--own.count > 0) {
            return false;
        }
        shared.remove(thread);
        return true;
    }

    boolean hasLocalHolders(int mode) {
        return mode == EX ? exclusiveOwner != null : !shared.isEmpty();
    }

    boolean hasServerHold() {
        return serverToken[EX] != 0 || serverToken[SH] != 0;
    }

    boolean unused() {
        return pins == 0
                && exclusiveOwner == null
                && shared.isEmpty()
                && !hasServerHold()
                && !busy
                && !releasing
                && !remoteWaiter;
    }

    /** One thread's stacked shared holds. */
    static final class Hold {
        int count;
        final long token;
        final long since;

        Hold(long token) {
            this.count = 1;
            this.token = token;
            this.since = System.currentTimeMillis();
        }
    }
}
