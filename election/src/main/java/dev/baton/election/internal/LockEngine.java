package dev.baton.election.internal;

import static dev.baton.election.internal.KeyState.EX;

import dev.baton.election.LockClient;
import dev.baton.election.LockClientListener;
import dev.baton.election.LockKey;
import dev.baton.election.LockLostException;
import dev.baton.election.LockMode;
import dev.baton.election.TooManyLocksException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-thread, re-entrant, shared/exclusive bookkeeping of a client's locks, backed by a {@link Backend} that takes the
 * cross-process lock on the first hold of a key (per mode) and releases it after the last.
 *
 * <p>Locking: one {@link ReentrantLock} guards all key states. It is never held while calling the backend or a
 * listener; a key is marked busy instead (one backend call per key at a time), and while the last hold of a mode is
 * unlocked on the server no thread of ours may re-take it.
 */
final class LockEngine {
    private static final Logger log = LoggerFactory.getLogger(LockEngine.class);
    /** How long a request on the session that holds the other mode waits natively before the engine asks again. */
    private static final long SAME_SESSION_WAIT_MS = 25;

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<LockKey, KeyState> states = new HashMap<>(); // guarded by lock
    private long nextToken; // guarded by lock
    private int serverKeys; // guarded by lock; keys with a server hold (valid or lost)
    private int pendingKeys; // guarded by lock; new keys being acquired, counted against the cap
    private boolean closed; // guarded by lock

    private final String instanceId;
    private final int maxKeys;
    private final List<LockClientListener> listeners;
    private volatile Backend backend;
    private volatile LockMetrics metrics = LockMetrics.NONE;
    private volatile LossNotifier losses;

    LockEngine(String instanceId, int maxKeys, List<LockClientListener> listeners) {
        this.instanceId = instanceId;
        this.maxKeys = maxKeys;
        this.listeners = List.copyOf(listeners);
    }

    void bind(LockClient client, Backend backend, LockMetrics metrics) {
        this.backend = backend;
        this.metrics = metrics;
        this.losses = new LossNotifier(instanceId, listeners, metrics);
        losses.bind(client);
    }

    /**
     * Acquires {@code key} in {@code mode} for the current thread.
     *
     * @param timeoutNanos 0: try once; negative: wait without bound; else the longest wait
     */
    boolean acquire(LockKey key, LockMode mode, long timeoutNanos, boolean interruptible) throws InterruptedException {
        final long start = System.nanoTime();
        final boolean forever = timeoutNanos < 0;
        final long deadline = forever ? Long.MAX_VALUE : start + timeoutNanos;
        final Thread me = Thread.currentThread();
        final int m = mode.ordinal();
        KeyWait wait = new KeyWait(deadline, interruptible);
        lock.lock();
        KeyState ks = states.computeIfAbsent(key, k -> new KeyState(k, lock.newCondition()));
        ks.pins++;
        try {
            for (; ; ) {
                requireOpen();
                long own = ks.tokenOf(me, m);
                if (own != 0) {
                    if (!tokenValid(ks, m, own)) {
                        throw new LockLostException("Cannot re-acquire " + key + " (" + mode + "): this thread's"
                                + " earlier hold was lost with its session; unlock it first, then lock again");
                    }
                    reenter(ks, me, m);
                    return true;
                }
                if (ks.busy || ks.releasing) {
                    // A server call for this key is in flight (one round trip): even a try waits for its outcome.
                    ks.changed.awaitUninterruptibly();
                    continue;
                }
                if (ks.compatible(me, m)) {
                    if (serverValid(ks, m)) {
                        grant(ks, me, m, ks.serverToken[m]);
                        return true;
                    }
                    Backend.Hold hold = tryServer(ks, mode, timeoutNanos == 0, deadline);
                    if (hold != null) {
                        if (installIfStillFree(ks, me, m, hold)) {
                            metrics.acquired(System.nanoTime() - start);
                            return true;
                        }
                        continue; // another thread of ours got it meanwhile: look again
                    }
                    if (timeoutNanos == 0 || (!forever && deadline - System.nanoTime() <= 0)) {
                        metrics.notAcquired();
                        return false;
                    }
                    if (serverValid(ks, 1 - m)) {
                        continue; // the same-session request already waited natively for a slice: ask again
                    }
                    if (!ks.remoteWaiter) {
                        Backend.Hold granted = awaitRemote(ks, mode, deadline, interruptible);
                        if (granted != null && installIfStillFree(ks, me, m, granted)) {
                            metrics.acquired(System.nanoTime() - start);
                            return true;
                        }
                        continue;
                    }
                } else if (timeoutNanos == 0) {
                    metrics.notAcquired();
                    return false;
                }
                // Another thread of ours holds it or already waits for another session to release it.
                if (!wait.await(ks.changed)) {
                    metrics.notAcquired();
                    return false;
                }
            }
        } finally {
            ks.pins--;
            cleanup(ks);
            lock.unlock();
            wait.reassertInterrupt();
        }
    }

    /**
     * Asks the server for the key: on the main session without waiting, or, if we hold the other mode, on that same
     * session with a short native wait (a session never conflicts with itself, and its own request goes ahead of
     * queued waiters, where a try-lock would fail behind them). A new key counts against the cap while asked for.
     */
    private Backend.Hold tryServer(KeyState ks, LockMode mode, boolean once, long deadline) {
        int m = mode.ordinal();
        boolean newKey = !ks.hasServerHold();
        if (newKey) {
            if (serverKeys + pendingKeys >= maxKeys) {
                throw new TooManyLocksException("Client '" + instanceId + "' already holds " + serverKeys
                        + " distinct keys, its maximum; refusing " + ks.key + " so PostgreSQL's shared lock table is"
                        + " not exhausted. Release locks, or raise LockClient.Builder.maxKeys (and the server's"
                        + " max_locks_per_transaction with it)");
            }
            pendingKeys++;
        }
        try {
            Backend.Hold sameSession = serverValid(ks, 1 - m) ? ks.serverHold[1 - m] : null;
            long waitMs = once ? 1 : Math.max(1, Math.min(SAME_SESSION_WAIT_MS, KeyWait.remainingMillis(deadline)));
            return callBackend(ks, () -> backend.tryAcquire(ks.key, mode, sameSession, waitMs));
        } finally {
            if (newKey) {
                pendingKeys--;
            }
        }
    }

    /** Waits natively, without the state lock, for the key; one thread per key does this, the others wait on it. */
    private Backend.Hold awaitRemote(KeyState ks, LockMode mode, long deadline, boolean interruptible)
            throws InterruptedException {
        ks.remoteWaiter = true;
        boolean newKey = !ks.hasServerHold();
        if (newKey) {
            pendingKeys++;
        }
        lock.unlock();
        try {
            return backend.awaitAcquire(ks.key, mode, deadline, interruptible);
        } finally {
            lock.lock();
            if (newKey) {
                pendingKeys--;
            }
            ks.remoteWaiter = false;
            ks.changed.signalAll();
        }
    }

    /**
     * Grants {@code hold} to {@code me} unless the local picture changed while the state lock was released (another
     * thread got the key meanwhile) or the client closed; then the server hold is given back.
     */
    private boolean installIfStillFree(KeyState ks, Thread me, int m, Backend.Hold hold) {
        if (!closed && !serverValid(ks, m) && ks.compatible(me, m)) {
            if (!ks.hasServerHold()) {
                serverKeys++;
            }
            ks.serverToken[m] = ++nextToken;
            ks.serverHold[m] = hold;
            grant(ks, me, m, ks.serverToken[m]);
            return true;
        }
        callBackend(ks, () -> backend.release(ks.key, LockMode.values()[m], hold));
        requireOpen();
        return false;
    }

    /** Runs a backend call for {@code ks} with the key marked busy and the state lock released. */
    private <T> T callBackend(KeyState ks, Supplier<T> call) {
        while (ks.busy) {
            ks.changed.awaitUninterruptibly();
        }
        ks.busy = true;
        lock.unlock();
        try {
            return call.get();
        } finally {
            lock.lock();
            ks.busy = false;
            ks.changed.signalAll();
        }
    }

    void release(LockKey key, LockMode mode) {
        final Thread me = Thread.currentThread();
        final int m = mode.ordinal();
        boolean notHeld = false;
        lock.lock();
        KeyState ks = states.get(key);
        try {
            if (ks == null || ks.holdCount(me, m) == 0) {
                throw new IllegalMonitorStateException("Thread '" + me.getName() + "' does not hold the " + mode
                        + " lock on " + key + "; unlock only locks this thread acquired, once per acquisition");
            }
            if (!ks.releaseOne(me, m)) {
                return; // stacked holds remain
            }
            ks.changed.signalAll();
            if (!ks.hasLocalHolders(m) && ks.serverToken[m] != 0) {
                Backend.Hold hold = ks.serverHold[m];
                boolean valid = hold.valid();
                ks.serverToken[m] = 0;
                ks.serverHold[m] = null;
                if (!ks.hasServerHold()) {
                    serverKeys--;
                }
                // Until the server unlock is done, no thread of ours may re-take the key on the strength of the hold
                // being released (a re-request by the holding session jumps PostgreSQL's queue and would starve
                // other sessions' waiters). A lost hold is "released" too: the backend frees its waiter session.
                ks.releasing = true;
                try {
                    notHeld = !callBackend(ks, () -> backend.release(key, mode, hold)) && valid;
                } finally {
                    ks.releasing = false;
                }
            }
        } finally {
            if (ks != null) {
                cleanup(ks);
            }
            lock.unlock();
        }
        if (notHeld) {
            log.warn(
                    "PostgreSQL reported {} ({}) as not held by client '{}' at unlock: it had been lost",
                    key,
                    mode,
                    instanceId);
            losses.lost(Set.of(key), LockClientListener.Reason.UNLOCK_NOT_HELD, null);
        }
    }

    /** Called by the backend when a session died; {@code lostHere} tells the holds that were on it. */
    void sessionLost(Predicate<Backend.Hold> lostHere, Throwable cause, boolean mainSession) {
        Set<LockKey> lost = new HashSet<>();
        lock.lock();
        try {
            for (KeyState ks : states.values()) {
                for (int m = 0; m < 2; m++) {
                    if (ks.serverHold[m] != null && lostHere.test(ks.serverHold[m])) {
                        lost.add(ks.key);
                    }
                }
                ks.changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (mainSession || !lost.isEmpty()) {
            metrics.sessionLost();
        }
        if (!lost.isEmpty()) {
            log.warn(
                    "Client '{}' lost a PostgreSQL session; {} held key(s) are lost: {}",
                    instanceId,
                    lost.size(),
                    lost,
                    cause);
            losses.lost(lost, LockClientListener.Reason.SESSION_LOST, cause);
        }
    }

    int holdCount(LockKey key, LockMode mode) {
        lock.lock();
        try {
            KeyState ks = states.get(key);
            return ks == null ? 0 : ks.holdCount(Thread.currentThread(), mode.ordinal());
        } finally {
            lock.unlock();
        }
    }

    /** Null if the current thread holds the lock validly, else why not. */
    String invalidReason(LockKey key, LockMode mode) {
        lock.lock();
        try {
            KeyState ks = states.get(key);
            long token = ks == null ? 0 : ks.tokenOf(Thread.currentThread(), mode.ordinal());
            if (token == 0) {
                return "the current thread does not hold it";
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

    /** Marks the engine closed and wakes every waiter; returns false if it already was. */
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

    /** After the backend closed: delivers the losses still queued, then stops the notifier. */
    void closeNotifier() {
        losses.close();
    }

    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    String instanceId() {
        return instanceId;
    }

    private void grant(KeyState ks, Thread me, int m, long token) {
        if (m == EX) {
            ks.exclusiveOwner = me;
            ks.exclusiveCount = 1;
            ks.exclusiveToken = token;
            ks.exclusiveSince = System.currentTimeMillis();
        } else {
            ks.shared.put(me, new KeyState.Hold(token));
        }
    }

    private static void reenter(KeyState ks, Thread me, int m) {
        if (m == EX) {
            ks.exclusiveCount++;
        } else {
            ks.shared.get(me).count++;
        }
    }

    private boolean serverValid(KeyState ks, int m) {
        return ks.serverHold[m] != null && ks.serverHold[m].valid();
    }

    private boolean tokenValid(KeyState ks, int m, long token) {
        return token != 0 && ks.serverToken[m] == token && serverValid(ks, m);
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("LockClient '" + instanceId + "' is closed; create a new client");
        }
    }

    private void cleanup(KeyState ks) {
        if (ks.unused()) {
            states.remove(ks.key, ks);
        }
    }
}
