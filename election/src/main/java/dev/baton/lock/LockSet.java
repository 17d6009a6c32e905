package dev.baton.lock;

import java.util.List;

/**
 * Exclusive holds of several keys taken together by {@link LockClient#lockAll(java.time.Duration, LockKey...)}: all
 * of them, taken in ascending key order, or none. Like a {@link LockLease} it belongs to no thread.
 *
 * <p>Thread-safe. {@link #release()} gives the keys back in reverse order, one round trip each, once; later calls do
 * nothing. A lost key (its session died) makes {@link #isValid()} false; the others stay held until the release.
 */
public interface LockSet extends AutoCloseable {

    /** The keys, in the order they were taken (ascending {@link LockKey#value()}). */
    List<LockKey> keys();

    /** Whether the set is not yet released and every key is still backed by the client's live session. */
    boolean isValid();

    /**
     * Throws if {@link #isValid()} is false.
     *
     * @throws LockLostException naming the first key that is no longer held and why
     */
    void checkValid();

    /** Releases every key, in reverse order of acquisition, from any thread; later calls do nothing. */
    void release();

    /** As {@link #release()}. */
    @Override
    default void close() {
        release();
    }
}
