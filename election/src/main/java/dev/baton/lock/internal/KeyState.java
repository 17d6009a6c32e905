package dev.baton.lock.internal;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.baton.lock.HeldLock;
import dev.baton.lock.LockKey;
import dev.baton.lock.LockLostException;
import dev.baton.lock.LockMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ObjLongConsumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * One key: its local holders per mode (threads or leases), the server holds they stand on, and every transition
 * between them. A holder's first hold of the key in a mode asks the {@link Backend} once; later holds are local.
 *
 * <p>Locking: {@link #lock} guards everything here. It is never held while calling the backend: the key is marked
 * {@code busy} instead (one backend call per key at a time), and while the last hold of a mode is unlocked on the
 * server ({@code releasing}) no holder of ours may re-take it. The {@link KeyTable} registry lock may be held when
 * this lock is taken, never the other way round.
 */
final class KeyState {
    /** How long a request on the session that holds the other mode waits natively before the loop looks again. */
    private static final long BESIDE_WAIT_MS = 25;

    final LockKey key;
    private final KeyTable table;
    private final Backend backend;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled on every change of holders, busy, releasing or remote-waiter. */
    private final Condition changed = lock.newCondition();

    @GuardedBy("lock")
    private final ModeHolds exclusive = new ModeHolds(LockMode.EXCLUSIVE);

    @GuardedBy("lock")
    private final ModeHolds shared = new ModeHolds(LockMode.SHARED);

    @GuardedBy("lock")
    private boolean busy; // a backend call for this key is in flight

    @GuardedBy("lock")
    private boolean releasing; // the last hold of a mode is being unlocked on the server

    @GuardedBy("lock")
    private boolean remoteWaiter; // one holder waits natively for another session; the others wait on `changed`

    @GuardedBy("lock")
    private final JoinGate joins = new JoinGate(); // when a new shared holder may join our shared server hold

    KeyState(LockKey key, KeyTable table, Backend backend) {
        this.key = key;
        this.table = table;
        this.backend = backend;
    }

    /**
     * Acquires the key in {@code mode} for {@code owner}.
     *
     * @param timeoutNanos 0: try once; negative: wait without bound; else the longest wait
     */
    Acquired acquire(Object owner, LockMode mode, long timeoutNanos, boolean interruptible)
            throws InterruptedException {
        final boolean once = timeoutNanos == 0;
        final Deadline deadline = Deadline.after(timeoutNanos, interruptible);
        lock.lock();
        try {
            ModeHolds mine = holds(mode);
            final long ticket = joins.ticket(); // a join needs a look at the server's queue from now on
            for (; ; ) {
                table.requireOpen();
                LocalHold own = mine.holdOf(owner);
                if (own != null) {
                    if (!mine.backs(own)) {
                        throw new LockLostException("Cannot re-acquire " + key + " (" + mode + "): the earlier hold"
                                + " was lost with its session; unlock it first, then lock again");
                    }
                    own.reenter();
                    return Acquired.LOCALLY;
                }
                if (busy || releasing) {
                    // A server call for this key is in flight (one round trip): even a try waits for its outcome.
                    changed.awaitUninterruptibly();
                    continue;
                }
                if (compatible(owner, mode)) {
                    if (mine.serverValid()) {
                        if (mode == LockMode.EXCLUSIVE
                                || exclusive.holdOf(owner) != null
                                || joins.admits(shared.serverToken(), ticket)) {
                            mine.grant(owner);
                            return Acquired.LOCALLY;
                        }
                        Installed joined = joinShared(owner, ticket, once, deadline);
                        if (joined == Installed.YES) {
                            return Acquired.FROM_SERVER;
                        }
                        if (joined == Installed.NOT_GRANTED) {
                            return Acquired.NOT_ACQUIRED;
                        }
                        continue;
                    }
                    Installed asked = fromServer(owner, mode, askServer(mode, once, deadline));
                    if (asked == Installed.YES) {
                        return Acquired.FROM_SERVER;
                    }
                    if (asked == Installed.GIVEN_BACK) {
                        continue; // another holder of ours got it meanwhile, or its session died: look again
                    }
                    if (once || deadline.expired()) {
                        return Acquired.NOT_ACQUIRED;
                    }
                    if (other(mode).serverValid()) {
                        // The request beside our other-mode hold already waited natively for a slice; this path
                        // never reaches deadline.await, so it answers an interrupt itself.
                        deadline.checkInterrupt(key);
                        continue;
                    }
                    if (!remoteWaiter) {
                        if (fromServer(owner, mode, awaitRemote(mode, deadline)) == Installed.YES) {
                            return Acquired.FROM_SERVER;
                        }
                        continue;
                    }
                } else if (once) {
                    return Acquired.NOT_ACQUIRED;
                }
                // Another holder of ours has it, or already waits for another session to release it.
                if (!deadline.await(changed)) {
                    return Acquired.NOT_ACQUIRED;
                }
            }
        } finally {
            lock.unlock();
            deadline.reassertInterrupt();
        }
    }

    /**
     * Drops one of {@code owner}'s holds in {@code mode}; the last local hold of the mode unlocks it on the server.
     *
     * @return true if PostgreSQL answered that unlock with "not held" although the hold looked valid: a loss
     * @throws IllegalMonitorStateException if {@code owner} holds no such hold
     */
    boolean release(Object owner, LockMode mode) {
        lock.lock();
        try {
            ModeHolds mine = holds(mode);
            LocalHold own = mine.holdOf(owner);
            if (own == null) {
                throw new IllegalMonitorStateException(LockEngine.describe(owner) + " does not hold the " + mode
                        + " lock on " + key + "; unlock only locks this thread acquired, once per acquisition");
            }
            if (!own.releaseOne()) {
                return false; // stacked holds remain
            }
            mine.remove(owner);
            changed.signalAll();
            if (mine.hasHolders() || !mine.hasServerHold()) {
                return false;
            }
            Backend.ServerHold hold = mine.uninstall();
            if (!hasServerHold()) {
                table.serverKeyReleased();
            }
            boolean valid = hold.valid();
            // Until the server unlock is done no holder of ours may re-take the key on the strength of this hold (a
            // re-request by the holding session jumps PostgreSQL's queue and would starve other sessions' waiters).
            // A lost hold is "released" too: the backend frees its waiter session.
            releasing = true;
            try {
                return !callBackend(() -> backend.release(key, mode, hold)) && valid;
            } finally {
                releasing = false;
            }
        } finally {
            lock.unlock();
        }
    }

    int holdCount(Object owner, LockMode mode) {
        lock.lock();
        try {
            LocalHold own = holds(mode).holdOf(owner);
            return own == null ? 0 : own.count();
        } finally {
            lock.unlock();
        }
    }

    /** Null if {@code owner} holds the key validly in {@code mode}, else why not. */
    String invalidReason(Object owner, LockMode mode) {
        lock.lock();
        try {
            ModeHolds mine = holds(mode);
            LocalHold own = mine.holdOf(owner);
            if (own == null) {
                return owner instanceof Thread ? "the current thread does not hold it" : "it was released";
            }
            if (table.isClosed()) {
                return "the client is closed";
            }
            return mine.backs(own) ? null : "the session that held it was lost, or PostgreSQL reported it free";
        } finally {
            lock.unlock();
        }
    }

    /** Whether a server hold of this key matches {@code lostHere}; wakes every holder to look again. */
    boolean lostWith(Predicate<Backend.ServerHold> lostHere) {
        lock.lock();
        try {
            changed.signalAll();
            return matches(exclusive, lostHere) || matches(shared, lostHere);
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiter of this key (the client closed). */
    void wake() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether nothing uses this key any more, so the registry may drop it. */
    boolean unused() {
        lock.lock();
        try {
            return !exclusive.hasHolders()
                    && !shared.hasHolders()
                    && !hasServerHold()
                    && !busy
                    && !releasing
                    && !remoteWaiter;
        } finally {
            lock.unlock();
        }
    }

    /** This key's holds per mode that have local holders, as {@link HeldLock}s (a snapshot). */
    List<HeldLock> held() {
        lock.lock();
        try {
            List<HeldLock> held = new ArrayList<>(2);
            for (ModeHolds holds : new ModeHolds[] {exclusive, shared}) {
                if (holds.hasHolders()) {
                    long since = Long.MAX_VALUE;
                    for (LocalHold h : holds.holders().values()) {
                        since = Math.min(since, h.sinceMillis);
                    }
                    held.add(new HeldLock(
                            key, holds.mode, holds.holders().size(), Instant.ofEpochMilli(since), holds.serverValid()));
                }
            }
            return held;
        } finally {
            lock.unlock();
        }
    }

    /** Calls {@code each} with every local hold as (mode, since millis), for the in-memory client's holders(). */
    void forEachHold(ObjLongConsumer<LockMode> each) {
        lock.lock();
        try {
            exclusive.holders().values().forEach(h -> each.accept(LockMode.EXCLUSIVE, h.sinceMillis));
            shared.holders().values().forEach(h -> each.accept(LockMode.SHARED, h.sinceMillis));
        } finally {
            lock.unlock();
        }
    }

    @GuardedBy("lock")
    private ModeHolds holds(LockMode mode) {
        return mode == LockMode.EXCLUSIVE ? exclusive : shared;
    }

    @GuardedBy("lock")
    private ModeHolds other(LockMode mode) {
        return mode == LockMode.EXCLUSIVE ? shared : exclusive;
    }

    @GuardedBy("lock")
    private boolean hasServerHold() {
        return exclusive.hasServerHold() || shared.hasServerHold();
    }

    /** Whether {@code owner} may hold {@code mode} beside the other local holders (re-entry is handled before). */
    @GuardedBy("lock")
    private boolean compatible(Object owner, LockMode mode) {
        if (mode == LockMode.EXCLUSIVE) {
            return !exclusive.hasHolders() && (!shared.hasHolders() || shared.onlyHolderIs(owner));
        }
        return !exclusive.hasHolders() || exclusive.holdOf(owner) != null;
    }

    /**
     * A new shared holder beside our valid shared server hold, not yet admitted: as another session's shared request
     * would, it waits behind another session's waiting exclusive request. Looks at the server's queue (one round trip,
     * shared by every joiner that arrived before it started). While the newest look saw a writer, a try fails (after a
     * look of its own: the writer may have gone, as PostgreSQL's try would see), and a wait queues in PostgreSQL behind
     * the writer on a waiter session, or in memory behind the thread of ours that does.
     *
     * @return NOT_GRANTED: give up now; YES: granted on the server (the writer came and went, and so did our old hold);
     *     GIVEN_BACK: look again
     */
    @GuardedBy("lock")
    private Installed joinShared(Object owner, long ticket, boolean once, Deadline deadline)
            throws InterruptedException {
        long epoch = shared.serverToken();
        if (!joins.writerQueued(epoch) || (once && !joins.lookedSince(epoch, ticket))) {
            Backend.ServerHold hold = shared.serverHold();
            long look = joins.begin();
            boolean queued = callBackend(() -> backend.exclusiveWaiter(hold, key));
            joins.looked(epoch, look, queued);
            return Installed.GIVEN_BACK;
        }
        if (once || deadline.expired()) {
            return Installed.NOT_GRANTED;
        }
        if (remoteWaiter) {
            return deadline.await(changed) ? Installed.GIVEN_BACK : Installed.NOT_GRANTED;
        }
        Reply reply = awaitRemote(LockMode.SHARED, deadline);
        if (reply.hold() != null && reply.hold().valid() && shared.serverValid()) {
            joins.reopened(shared.serverToken()); // granted beside our hold: the writer is ahead no more
        }
        return fromServer(owner, LockMode.SHARED, reply) == Installed.YES ? Installed.YES : Installed.GIVEN_BACK;
    }

    /**
     * Asks the server for the key: on the main session without waiting, or, if we hold the other mode, on that same
     * session with a short native wait. A new key counts against the client's cap from here until it is installed.
     */
    @GuardedBy("lock")
    private Reply askServer(LockMode mode, boolean once, Deadline deadline) {
        boolean reserved = reserveIfNewKey();
        try {
            ModeHolds other = other(mode);
            Backend.ServerHold hold;
            if (other.serverValid()) {
                Backend.ServerHold beside = other.serverHold();
                long waitMs = once ? 1 : Math.max(1, Math.min(BESIDE_WAIT_MS, deadline.remainingMillis()));
                hold = callBackend(() -> backend.acquireBeside(beside, key, mode, waitMs));
            } else {
                hold = callBackend(() -> backend.tryAcquire(key, mode));
            }
            return new Reply(hold, reserved);
        } catch (RuntimeException | Error e) {
            unreserve(reserved);
            throw e;
        }
    }

    /** Waits natively, without the lock, for the key; one holder per key does this, the others wait on it. */
    @GuardedBy("lock")
    private Reply awaitRemote(LockMode mode, Deadline deadline) throws InterruptedException {
        boolean reserved = reserveIfNewKey(); // before the flag: a refusal must not leave remoteWaiter set
        remoteWaiter = true;
        lock.unlock();
        boolean answered = false;
        try {
            Reply reply = new Reply(backend.await(key, mode, deadline.at(), deadline.interruptible()), reserved);
            answered = true; // from here the reply carries the reservation; fromServer settles it
            return reply;
        } finally {
            lock.lock();
            if (!answered) {
                unreserve(reserved);
            }
            remoteWaiter = false;
            changed.signalAll();
        }
    }

    /** The server's answer, and whether a new key's reservation against the cap still stands for it. */
    private record Reply(Backend.ServerHold hold, boolean reserved) {}

    @GuardedBy("lock")
    private boolean reserveIfNewKey() {
        if (hasServerHold()) {
            return false;
        }
        table.reserveKey(key);
        return true;
    }

    private void unreserve(boolean reserved) {
        if (reserved) {
            table.unreserveKey();
        }
    }

    /** What became of a reply from the server. */
    private enum Installed {
        /** The hold is {@code owner}'s now. */
        YES,
        /** The server did not grant it. */
        NOT_GRANTED,
        /** Granted, but given back: the local picture changed meanwhile, or the session died already. */
        GIVEN_BACK
    }

    /** Installs a granted hold for {@code owner} if it still may have it; settles the reply's reservation. */
    @GuardedBy("lock")
    private Installed fromServer(Object owner, LockMode mode, Reply reply) {
        if (reply.hold() == null) {
            unreserve(reply.reserved());
            return Installed.NOT_GRANTED;
        }
        return installIfStillFree(owner, mode, reply.hold(), reply.reserved()) ? Installed.YES : Installed.GIVEN_BACK;
    }

    /**
     * Grants {@code hold} to {@code owner} unless the local picture changed while the lock was released (another
     * holder got the key meanwhile) or the client closed; then the server hold is given back.
     */
    @GuardedBy("lock")
    private boolean installIfStillFree(Object owner, LockMode mode, Backend.ServerHold hold, boolean reserved) {
        ModeHolds mine = holds(mode);
        // A hold whose session died before we got here was missed by that session's loss report (it was not
        // installed yet): never hand it out.
        if (hold.valid() && !table.isClosed() && !mine.serverValid() && compatible(owner, mode)) {
            if (!hasServerHold()) {
                table.serverKeyTaken(reserved); // the reservation becomes the key's count
            } else {
                unreserve(reserved); // the other mode's hold already counts the key
            }
            Backend.ServerHold replaced = mine.install(hold, table.nextToken());
            mine.grant(owner);
            if (replaced != null) {
                // A lost hold that its holders still stand on: the backend frees what it pinned (its waiter session).
                callBackend(() -> backend.release(key, mode, replaced));
            }
            return true;
        }
        unreserve(reserved);
        callBackend(() -> backend.release(key, mode, hold));
        table.requireOpen();
        return false;
    }

    /** Runs a backend call with the key marked busy and the lock released. */
    @GuardedBy("lock")
    private <T> T callBackend(Supplier<T> call) {
        while (busy) {
            changed.awaitUninterruptibly();
        }
        busy = true;
        lock.unlock();
        try {
            return call.get();
        } finally {
            lock.lock();
            busy = false;
            changed.signalAll();
        }
    }

    private static boolean matches(ModeHolds holds, Predicate<Backend.ServerHold> lostHere) {
        return holds.hasServerHold() && lostHere.test(holds.serverHold());
    }
}
