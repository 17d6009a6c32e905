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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
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
 * listener; a key is marked busy instead, so the server's hold count always matches "local holders exist".
 */
final class LockEngine {
    private static final Logger log = LoggerFactory.getLogger(LockEngine.class);
    private static final long UPGRADE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(25);

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<LockKey, KeyState> states = new HashMap<>(); // guarded by lock
    private long nextToken; // guarded by lock
    private int serverKeys; // guarded by lock; keys with a server hold (valid or lost)
    private boolean closed; // guarded by lock

    private final String instanceId;
    private final int maxKeys;
    private final List<LockClientListener> listeners;
    private volatile Backend backend;
    private volatile LockMetrics metrics = LockMetrics.NONE;
    private volatile LockClient client;

    LockEngine(String instanceId, int maxKeys, List<LockClientListener> listeners) {
        this.instanceId = instanceId;
        this.maxKeys = maxKeys;
        this.listeners = List.copyOf(listeners);
    }

    void bind(LockClient client, Backend backend, LockMetrics metrics) {
        this.client = client;
        this.backend = backend;
        this.metrics = metrics;
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
        boolean reassertInterrupt = false;
        lock.lock();
        KeyState ks = states.computeIfAbsent(key, k -> new KeyState(k, lock.newCondition()));
        ks.pins++;
        try {
            for (; ; ) {
                requireOpen();
                if (m == EX && ks.exclusiveOwner == me) {
                    requireValid(ks, m, ks.exclusiveToken);
                    ks.exclusiveCount++;
                    return true;
                }
                KeyState.Hold own = ks.shared.get(me);
                if (m != EX && own != null) {
                    requireValid(ks, m, own.token);
                    own.count++;
                    return true;
                }
                if (!ks.busy && !ks.releasing && ks.compatible(me, m)) {
                    if (serverValid(ks, m)) {
                        grant(ks, me, m, ks.serverToken[m]);
                        return true;
                    }
                    if (!ks.hasServerHold() && serverKeys >= maxKeys) {
                        throw new TooManyLocksException("Client '" + instanceId + "' already holds " + serverKeys
                                + " distinct keys, its maximum; refusing " + key + " so PostgreSQL's shared lock table"
                                + " is not exhausted. Release locks, or raise LockClient.Builder.maxKeys (and the"
                                + " server's max_locks_per_transaction with it)");
                    }
                    // A session never conflicts with itself: if we hold the other mode, ask on that session.
                    Backend.Hold sameSession = serverValid(ks, 1 - m) ? ks.serverHold[1 - m] : null;
                    Backend.Hold hold = callBackend(ks, () -> backend.tryAcquire(key, mode, sameSession));
                    if (hold != null) {
                        if (installIfStillFree(ks, me, m, hold)) {
                            metrics.acquired(System.nanoTime() - start);
                            return true;
                        }
                        continue;
                    }
                    if (timeoutNanos == 0 || (!forever && deadline - System.nanoTime() <= 0)) {
                        metrics.notAcquired();
                        return false;
                    }
                    if (sameSession != null) {
                        // An upgrade blocked by another session: a waiter session would wait for our own hold too.
                        reassertInterrupt |= pause(UPGRADE_POLL_NANOS, deadline, interruptible);
                        continue;
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
                // Another thread of ours holds it, is talking to the server about it, or already waits for another
                // session to release it: wait for it to signal.
                if (forever) {
                    if (interruptible) {
                        ks.changed.await();
                    } else {
                        ks.changed.awaitUninterruptibly();
                    }
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        metrics.notAcquired();
                        return false;
                    }
                    try {
                        ks.changed.awaitNanos(left);
                    } catch (InterruptedException e) {
                        if (interruptible) {
                            throw e;
                        }
                        reassertInterrupt = true;
                    }
                }
            }
        } finally {
            ks.pins--;
            cleanup(ks);
            lock.unlock();
            if (reassertInterrupt) {
                me.interrupt();
            }
        }
    }

    /** Waits natively, without the state lock, for the key; one thread per key does this, the others wait on it. */
    private Backend.Hold awaitRemote(KeyState ks, LockMode mode, long deadline, boolean interruptible)
            throws InterruptedException {
        ks.remoteWaiter = true;
        lock.unlock();
        try {
            return backend.awaitAcquire(ks.key, mode, deadline, interruptible);
        } finally {
            lock.lock();
            ks.remoteWaiter = false;
            ks.changed.signalAll();
        }
    }

    /** Sleeps without the state lock; returns whether an uninterruptible caller was interrupted. */
    private boolean pause(long nanos, long deadline, boolean interruptible) throws InterruptedException {
        long wait = deadline == Long.MAX_VALUE ? nanos : Math.min(nanos, deadline - System.nanoTime());
        if (wait <= 0) {
            return false;
        }
        lock.unlock();
        try {
            if (interruptible) {
                TimeUnit.NANOSECONDS.sleep(wait);
                return false;
            }
            boolean interrupted = false;
            for (long end = System.nanoTime() + wait, left = wait; left > 0; left = end - System.nanoTime()) {
                LockSupport.parkNanos(left);
                interrupted |= Thread.interrupted(); // else park would return at once from now on
            }
            return interrupted;
        } finally {
            lock.lock();
        }
    }

    /**
     * Grants {@code hold} to {@code me} unless the local picture changed while the state lock was released (another
     * thread got the key meanwhile); then the extra server hold is given back and the caller looks again.
     */
    private boolean installIfStillFree(KeyState ks, Thread me, int m, Backend.Hold hold) {
        if (!serverValid(ks, m) && ks.compatible(me, m)) {
            install(ks, m, hold);
            grant(ks, me, m, ks.serverToken[m]);
            return true;
        }
        callBackend(ks, () -> backend.release(ks.key, LockMode.values()[m], hold));
        return false;
    }

    /**
     * Runs a backend call for {@code ks} with the key marked busy and the state lock released. Calls for one key never
     * overlap, so the server's holds always match the local picture.
     */
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

    private void install(KeyState ks, int m, Backend.Hold hold) {
        if (!ks.hasServerHold()) {
            serverKeys++;
        }
        ks.serverToken[m] = ++nextToken;
        ks.serverHold[m] = hold;
    }

    void release(LockKey key, LockMode mode) {
        final Thread me = Thread.currentThread();
        final int m = mode.ordinal();
        boolean notHeld = false;
        lock.lock();
        KeyState ks = states.get(key);
        try {
            if (m == EX) {
                if (ks == null || ks.exclusiveOwner != me) {
                    throw notOwner(key, mode, me);
                }
                if (--ks.exclusiveCount > 0) {
                    return;
                }
                ks.exclusiveOwner = null;
                ks.exclusiveToken = 0;
            } else {
                KeyState.Hold own = ks == null ? null : ks.shared.get(me);
                if (own == null) {
                    throw notOwner(key, mode, me);
                }
                if (--own.count > 0) {
                    return;
                }
                ks.shared.remove(me);
            }
            ks.changed.signalAll();
            if (!ks.hasLocalHolders(m) && ks.serverToken[m] != 0) {
                Backend.Hold hold = ks.serverHold[m];
                ks.serverToken[m] = 0;
                ks.serverHold[m] = null;
                if (!ks.hasServerHold()) {
                    serverKeys--;
                }
                // A hold from a lost session needs no unlock: the server dropped it with the session.
                if (hold.valid()) {
                    // Until the server unlock is done, no thread of ours may re-take the key on the strength of
                    // the hold being released (a re-request by the holding session jumps PostgreSQL's queue and
                    // would starve other sessions' waiters).
                    ks.releasing = true;
                    try {
                        notHeld = !callBackend(ks, () -> backend.release(key, mode, hold));
                    } finally {
                        ks.releasing = false;
                    }
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
                    "PostgreSQL reported {} ({}) as not held by client '{}' at unlock: the lock had been lost",
                    key,
                    mode,
                    instanceId);
            locksLost(Set.of(key), LockClientListener.Reason.UNLOCK_NOT_HELD, null);
        }
    }

    /** Called by the backend when a session died; {@code lostHere} tells the holds that were on it. */
    void sessionLost(Predicate<Backend.Hold> lostHere, Throwable cause, boolean mainSession) {
        Set<LockKey> lost = new java.util.HashSet<>();
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
                    "Client '{}' lost its PostgreSQL session; {} held key(s) are lost: {}",
                    instanceId,
                    lost.size(),
                    lost,
                    cause);
            locksLost(lost, LockClientListener.Reason.SESSION_LOST, cause);
        }
    }

    private void locksLost(Set<LockKey> keys, LockClientListener.Reason reason, Throwable cause) {
        metrics.lost(keys.size());
        for (LockClientListener listener : listeners) {
            try {
                listener.locksLost(client, keys, reason, cause);
            } catch (RuntimeException | Error e) {
                log.error("LockClientListener {} threw; ignored", listener, e);
            }
        }
    }

    boolean isHeldByCurrentThread(LockKey key, LockMode mode) {
        return holdCount(key, mode) > 0;
    }

    int holdCount(LockKey key, LockMode mode) {
        Thread me = Thread.currentThread();
        lock.lock();
        try {
            KeyState ks = states.get(key);
            if (ks == null) {
                return 0;
            }
            if (mode.ordinal() == EX) {
                return ks.exclusiveOwner == me ? ks.exclusiveCount : 0;
            }
            KeyState.Hold own = ks.shared.get(me);
            return own == null ? 0 : own.count;
        } finally {
            lock.unlock();
        }
    }

    boolean isValid(LockKey key, LockMode mode) {
        return invalidReason(key, mode) == null;
    }

    /** Null if the current thread holds the lock validly, else why not. */
    String invalidReason(LockKey key, LockMode mode) {
        Thread me = Thread.currentThread();
        int m = mode.ordinal();
        lock.lock();
        try {
            KeyState ks = states.get(key);
            long token = 0;
            if (ks != null && m == EX && ks.exclusiveOwner == me) {
                token = ks.exclusiveToken;
            } else if (ks != null && m != EX && ks.shared.containsKey(me)) {
                token = ks.shared.get(me).token;
            } else {
                return "the current thread does not hold it";
            }
            if (closed) {
                return "the client is closed";
            }
            return tokenValid(ks, m, token)
                    ? null
                    : "the session that held it was lost, or PostgreSQL reported it free";
        } finally {
            lock.unlock();
        }
    }

    /** Local holders, for the in-memory client's {@code holders()}. */
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

    private boolean serverValid(KeyState ks, int m) {
        return ks.serverHold[m] != null && ks.serverHold[m].valid();
    }

    private boolean tokenValid(KeyState ks, int m, long token) {
        return token != 0 && ks.serverToken[m] == token && serverValid(ks, m);
    }

    private void requireValid(KeyState ks, int m, long token) {
        if (!tokenValid(ks, m, token)) {
            throw new LockLostException("Cannot re-acquire " + ks.key + " (" + LockMode.values()[m]
                    + "): this thread's earlier hold was lost with its session; unlock it first, then lock again");
        }
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

    private static IllegalMonitorStateException notOwner(LockKey key, LockMode mode, Thread me) {
        return new IllegalMonitorStateException("Thread '" + me.getName() + "' does not hold the " + mode + " lock on "
                + key + "; unlock only locks this thread acquired, once per acquisition");
    }
}
