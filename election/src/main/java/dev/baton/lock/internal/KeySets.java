package dev.baton.lock.internal;

import dev.baton.internal.Validate;
import dev.baton.lock.LockClient;
import dev.baton.lock.LockKey;
import dev.baton.lock.LockLease;
import dev.baton.lock.LockLostException;
import dev.baton.lock.LockSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link LockClient#lockAll}: leases taken one by one in ascending key order, so that every caller, in any thread or
 * JVM, asks for overlapping keys in the same order and none can hold one key while waiting for a key the other
 * holds. One deadline covers the whole set; a set that cannot be completed gives back what it took, newest first.
 */
public final class KeySets {
    private KeySets() {}

    /** The set, or empty if one key could not be had within {@code timeout}. */
    public static Optional<LockSet> lockAll(LockClient client, Duration timeout, LockKey... keys)
            throws InterruptedException {
        Validate.nonNegative(timeout, "Lock timeout");
        List<LockKey> ordered = ordered(keys);
        long deadline = System.nanoTime() + Deadline.timeoutNanos(timeout);
        boolean forever = Deadline.timeoutNanos(timeout) < 0;
        List<LockLease> taken = new ArrayList<>(ordered.size());
        try {
            for (LockKey key : ordered) {
                long left = forever ? Long.MAX_VALUE : Math.max(0, deadline - System.nanoTime());
                Optional<LockLease> lease = client.tryAcquire(key, Duration.ofNanos(left));
                if (lease.isEmpty()) {
                    releaseNewestFirst(taken); // all or none
                    return Optional.empty();
                }
                taken.add(lease.get());
            }
        } catch (InterruptedException | RuntimeException | Error e) {
            try {
                releaseNewestFirst(taken); // all or none, and the caller still learns why
            } catch (RuntimeException releaseFailed) {
                e.addSuppressed(releaseFailed);
            }
            throw e;
        }
        return Optional.of(new Held(List.copyOf(ordered), List.copyOf(taken)));
    }

    /** The keys sorted by value, after refusing null, empty and duplicates with a message naming the problem. */
    static List<LockKey> ordered(LockKey... keys) {
        if (keys == null || keys.length == 0) {
            throw new IllegalArgumentException("lockAll needs at least one key");
        }
        LockKey[] sorted = keys.clone();
        for (LockKey key : sorted) {
            if (key == null) {
                throw new IllegalArgumentException("lockAll got a null key in " + Arrays.toString(keys));
            }
        }
        Arrays.sort(sorted, Comparator.comparingLong(LockKey::value));
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i].value() == sorted[i - 1].value()) {
                throw new IllegalArgumentException("lockAll got " + sorted[i] + " twice (" + Arrays.toString(keys)
                        + "); give each key once: a lock set holds each key once and is not re-entrant");
            }
        }
        return Arrays.asList(sorted);
    }

    private static void releaseNewestFirst(List<LockLease> leases) {
        RuntimeException failure = null;
        for (int i = leases.size() - 1; i >= 0; i--) {
            try {
                leases.get(i).release();
            } catch (RuntimeException e) { // release the others all the same; LockLease.release() does not throw
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** A complete set. */
    private static final class Held implements LockSet {
        private final List<LockKey> keys;
        private final List<LockLease> leases;
        private final AtomicBoolean released = new AtomicBoolean();

        Held(List<LockKey> keys, List<LockLease> leases) {
            this.keys = keys;
            this.leases = leases;
        }

        @Override
        public List<LockKey> keys() {
            return keys;
        }

        @Override
        public boolean isValid() {
            return !released.get() && leases.stream().allMatch(LockLease::isValid);
        }

        @Override
        public void checkValid() {
            if (released.get()) {
                throw new LockLostException("The lock set " + keys + " is not valid: it was released");
            }
            leases.forEach(LockLease::checkValid);
        }

        @Override
        public void release() {
            if (released.compareAndSet(false, true)) {
                releaseNewestFirst(leases);
            }
        }

        @Override
        public String toString() {
            return "LockSet" + keys;
        }
    }
}
