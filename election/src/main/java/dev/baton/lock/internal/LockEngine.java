package dev.baton.lock.internal;

import dev.baton.lock.HeldLock;
import dev.baton.lock.LockClient;
import dev.baton.lock.LockClientListener;
import dev.baton.lock.LockHolder;
import dev.baton.lock.LockKey;
import dev.baton.lock.LockMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's locks: finds a key's {@link KeyState} in the {@link KeyTable}, lets the state make the transition (which
 * calls the {@link Backend}), and reports what happened to metrics and listeners. Holders are threads (a
 * {@link dev.baton.lock.DistributedLock}) or leases; a holder's first hold of a key in a mode costs one backend call,
 * its last release another.
 *
 * <p>Thread-safe; holds no lock of its own. Listeners are told on the {@link LossNotifier}'s thread, never on the
 * thread that noticed a loss.
 */
final class LockEngine {
    private static final Logger log = LoggerFactory.getLogger(LockEngine.class);

    private final String instanceId;
    private final List<LockClientListener> listeners;
    private final LockMetrics metrics;
    private final Backend backend;
    private final KeyTable table;
    private volatile LossNotifier losses; // set by bind(), before the client is handed out

    /** An engine whose backend is made by {@code backendFactory}, given this engine (for losses) and the metrics. */
    LockEngine(
            String instanceId,
            int maxKeys,
            List<LockClientListener> listeners,
            LockMetrics.Factory metricsFactory,
            BiFunction<LockEngine, LockMetrics, Backend> backendFactory) {
        this.instanceId = instanceId;
        this.listeners = List.copyOf(listeners);
        // The cap exists before the metrics, whose gauge may be read at once (a registry listener, a reporter).
        KeyCap cap = new KeyCap(instanceId, maxKeys);
        this.metrics = metricsFactory.create(instanceId, cap::serverKeys);
        this.backend = backendFactory.apply(this, metrics);
        this.table = new KeyTable(instanceId, cap, backend);
    }

    /** Tells the engine its client, which listeners receive with every loss. */
    void bind(LockClient client) {
        this.losses = new LossNotifier(instanceId, listeners, metrics, client);
    }

    Backend backend() {
        return backend;
    }

    /**
     * Acquires {@code key} in {@code mode} for {@code owner} (a thread or a lease).
     *
     * @param timeoutNanos 0: try once; negative: wait without bound; else the longest wait
     */
    boolean acquire(LockKey key, LockMode mode, Object owner, long timeoutNanos, boolean interruptible)
            throws InterruptedException {
        long start = System.nanoTime();
        KeyState ks = table.pin(key);
        try {
            switch (ks.acquire(owner, mode, timeoutNanos, interruptible)) {
                case LOCALLY:
                    return true;
                case FROM_SERVER:
                    metrics.acquired(key, System.nanoTime() - start);
                    return true;
                case NOT_ACQUIRED:
                default:
                    metrics.notAcquired(key);
                    return false;
            }
        } finally {
            table.unpin(ks);
        }
    }

    /**
     * Releases one of {@code owner}'s holds.
     *
     * @throws IllegalMonitorStateException if it holds none
     */
    void release(LockKey key, LockMode mode, Object owner) {
        KeyState ks = table.pinExisting(key);
        if (ks == null) {
            throw new IllegalMonitorStateException(describe(owner) + " does not hold the " + mode + " lock on " + key
                    + "; unlock only locks this thread acquired, once per acquisition");
        }
        boolean notHeld;
        try {
            notHeld = ks.release(owner, mode);
        } finally {
            table.unpin(ks);
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

    /** Called by the backend when a session died; {@code lostHere} tells the server holds that were on it. */
    void sessionLost(Predicate<Backend.ServerHold> lostHere, Throwable cause, boolean mainSession) {
        Set<LockKey> lost = new HashSet<>();
        for (KeyState ks : table.states()) {
            if (ks.lostWith(lostHere)) {
                lost.add(ks.key);
            }
        }
        LossNotifier notifier = losses;
        if (notifier != null) {
            notifier.sessionLost(lost, cause, mainSession);
        }
    }

    int holdCount(LockKey key, LockMode mode, Object owner) {
        KeyState ks = table.pinExisting(key);
        if (ks == null) {
            return 0;
        }
        try {
            return ks.holdCount(owner, mode);
        } finally {
            table.unpin(ks);
        }
    }

    /** Null if {@code owner} holds the lock validly, else why not. */
    String invalidReason(LockKey key, LockMode mode, Object owner) {
        KeyState ks = table.pinExisting(key);
        if (ks == null) {
            return owner instanceof Thread ? "the current thread does not hold it" : "it was released";
        }
        try {
            return ks.invalidReason(owner, mode);
        } finally {
            table.unpin(ks);
        }
    }

    /** Every local hold of {@code key} as a holder in this process, for the in-memory client's {@code holders()}. */
    List<LockHolder> localHolders(LockKey key) {
        KeyState ks = table.pinExisting(key);
        List<LockHolder> holders = new ArrayList<>();
        if (ks == null) {
            return holders;
        }
        int pid = (int) ProcessHandle.current().pid();
        try {
            ks.forEachHold(
                    (mode, since) -> holders.add(new LockHolder(pid, instanceId, mode, Instant.ofEpochMilli(since))));
        } finally {
            table.unpin(ks);
        }
        return List.copyOf(holders);
    }

    /** Every key held by a local holder now, by key value then mode. */
    List<HeldLock> heldLocks() {
        table.requireOpen();
        List<HeldLock> held = new ArrayList<>();
        for (KeyState ks : table.states()) {
            held.addAll(ks.held());
        }
        held.sort(java.util.Comparator.comparingLong((HeldLock h) -> h.key().value())
                .thenComparing(HeldLock::mode));
        return List.copyOf(held);
    }

    int serverKeys() {
        return table.serverKeys();
    }

    /** Marks the engine closed and wakes every waiter; false if it already was. */
    boolean close() {
        return table.close();
    }

    /** After the backend closed: delivers the losses still queued, then stops the notifier. */
    void closeNotifier() {
        LossNotifier notifier = losses;
        if (notifier != null) {
            notifier.close();
        }
    }

    boolean isClosed() {
        return table.isClosed();
    }

    String instanceId() {
        return instanceId;
    }

    static String describe(Object owner) {
        return owner instanceof Thread t ? "Thread '" + t.getName() + "'" : String.valueOf(owner);
    }
}
