package dev.baton.lock.internal;

import dev.baton.lock.LockClient;
import dev.baton.lock.LockClientListener;
import dev.baton.lock.LockKey;
import dev.baton.lock.LockLostException;
import dev.baton.lock.LockMode;
import java.util.List;
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

    private final KeyTable table;
    private final ReentrantLock lock; // the table's; guards every KeyState
    private final String instanceId;
    private final List<LockClientListener> listeners;
    private volatile Backend backend;
    private volatile LockMetrics metrics = LockMetrics.NONE;
    private volatile LossNotifier losses;

    LockEngine(String instanceId, int maxKeys, List<LockClientListener> listeners) {
        this.instanceId = instanceId;
        this.table = new KeyTable(instanceId, maxKeys);
        this.lock = table.lock;
        this.listeners = List.copyOf(listeners);
    }

    void bind(LockClient client, Backend backend, LockMetrics metrics) {
        this.backend = backend;
        this.metrics = metrics;
        this.losses = new LossNotifier(instanceId, listeners, metrics, client);
    }

    /**
     * Acquires {@code key} in {@code mode} for the current thread.
     *
     * @param timeoutNanos 0: try once; negative: wait without bound; else the longest wait
     */
    boolean acquire(LockKey key, LockMode mode, Object me, long timeoutNanos, boolean interruptible)
            throws InterruptedException {
        final long start = System.nanoTime();
        final boolean forever = timeoutNanos < 0;
        final long deadline = forever ? Long.MAX_VALUE : start + timeoutNanos;
        final int m = mode.ordinal();
        KeyWait wait = new KeyWait(deadline, interruptible);
        lock.lock();
        KeyState ks = table.pin(key);
        try {
            for (; ; ) {
                table.requireOpen();
                long own = ks.tokenOf(me, m);
                if (own != 0) {
                    if (!KeyTable.tokenValid(ks, m, own)) {
                        throw new LockLostException("Cannot re-acquire " + key + " (" + mode + "): this thread's"
                                + " earlier hold was lost with its session; unlock it first, then lock again");
                    }
                    ks.reenter(me, m);
                    return true;
                }
                if (ks.busy || ks.releasing) {
                    // A server call for this key is in flight (one round trip): even a try waits for its outcome.
                    ks.changed.awaitUninterruptibly();
                    continue;
                }
                if (ks.compatible(me, m)) {
                    if (KeyTable.serverValid(ks, m)) {
                        ks.grant(me, m, ks.serverToken[m]);
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
                    if (KeyTable.serverValid(ks, 1 - m)) {
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
            table.unpin(ks);
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
            table.reserve(ks);
        }
        try {
            Backend.Hold sameSession = KeyTable.serverValid(ks, 1 - m) ? ks.serverHold[1 - m] : null;
            long waitMs = once ? 1 : Math.max(1, Math.min(SAME_SESSION_WAIT_MS, KeyWait.remainingMillis(deadline)));
            return callBackend(ks, () -> backend.tryAcquire(ks.key, mode, sameSession, waitMs));
        } finally {
            if (newKey) {
                table.unreserve();
            }
        }
    }

    /** Waits natively, without the state lock, for the key; one thread per key does this, the others wait on it. */
    private Backend.Hold awaitRemote(KeyState ks, LockMode mode, long deadline, boolean interruptible)
            throws InterruptedException {
        ks.remoteWaiter = true;
        boolean newKey = !ks.hasServerHold();
        if (newKey) {
            table.reserve(ks);
        }
        lock.unlock();
        try {
            return backend.awaitAcquire(ks.key, mode, deadline, interruptible);
        } finally {
            lock.lock();
            if (newKey) {
                table.unreserve();
            }
            ks.remoteWaiter = false;
            ks.changed.signalAll();
        }
    }

    /**
     * Grants {@code hold} to {@code me} unless the local picture changed while the state lock was released (another
     * thread got the key meanwhile) or the client closed; then the server hold is given back.
     */
    private boolean installIfStillFree(KeyState ks, Object me, int m, Backend.Hold hold) {
        if (!table.closedLocked() && !KeyTable.serverValid(ks, m) && ks.compatible(me, m)) {
            ks.grant(me, m, table.install(ks, m, hold));
            return true;
        }
        callBackend(ks, () -> backend.release(ks.key, LockMode.values()[m], hold));
        table.requireOpen();
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

    void release(LockKey key, LockMode mode, Object me) {
        final int m = mode.ordinal();
        boolean notHeld = false;
        lock.lock();
        KeyState ks = table.get(key);
        try {
            if (ks == null || ks.holdCount(me, m) == 0) {
                throw new IllegalMonitorStateException(describe(me) + " does not hold the " + mode + " lock on " + key
                        + "; unlock only locks this thread acquired, once per acquisition");
            }
            if (!ks.releaseOne(me, m)) {
                return; // stacked holds remain
            }
            ks.changed.signalAll();
            if (!ks.hasLocalHolders(m) && ks.serverToken[m] != 0) {
                Backend.Hold hold = table.uninstall(ks, m);
                boolean valid = hold.valid();
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
                table.cleanup(ks);
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
        Set<LockKey> lost;
        lock.lock();
        try {
            lost = table.lostWith(lostHere);
        } finally {
            lock.unlock();
        }
        losses.sessionLost(lost, cause, mainSession);
    }

    int holdCount(LockKey key, LockMode mode, Object owner) {
        return table.holdCount(key, mode, owner);
    }

    /** Null if the current thread holds the lock validly, else why not. */
    String invalidReason(LockKey key, LockMode mode, Object owner) {
        return table.invalidReason(key, mode, owner);
    }

    /** Local holders as (mode ordinal, since millis), for the in-memory client's {@code holders()}. */
    List<long[]> localHolds(LockKey key) {
        return table.localHolds(key);
    }

    int serverKeys() {
        return table.serverKeys();
    }

    /** Marks the engine closed and wakes every waiter; returns false if it already was. */
    boolean close() {
        return table.close();
    }

    /** After the backend closed: delivers the losses still queued, then stops the notifier. */
    void closeNotifier() {
        losses.close();
    }

    boolean isClosed() {
        return table.isClosed();
    }

    String instanceId() {
        return instanceId;
    }

    private static String describe(Object owner) {
        return owner instanceof Thread t ? "Thread '" + t.getName() + "'" : String.valueOf(owner);
    }
}
