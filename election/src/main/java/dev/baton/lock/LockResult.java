package dev.baton.lock;

import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * The outcome of running an action under a lock: whether the lock was acquired (and so the action ran), and what it
 * returned. Immutable.
 *
 * @param <T> the action's result type
 */
public final class LockResult<T> {
    private static final LockResult<?> NOT_ACQUIRED = new LockResult<>(false, null);

    private final boolean acquired;
    private final T value;

    private LockResult(boolean acquired, T value) {
        this.acquired = acquired;
        this.value = value;
    }

    /** A result for an action that ran and returned {@code value} (may be null). */
    public static <T> LockResult<T> of(T value) {
        return new LockResult<>(true, value);
    }

    /** The result when the lock was not acquired and the action did not run. */
    @SuppressWarnings("unchecked")
    public static <T> LockResult<T> notAcquired() {
        return (LockResult<T>) NOT_ACQUIRED;
    }

    /** Whether the lock was acquired and the action ran. */
    public boolean acquired() {
        return acquired;
    }

    /**
     * What the action returned.
     *
     * @throws NoSuchElementException if the lock was not acquired
     */
    public T value() {
        if (!acquired) {
            throw new NoSuchElementException("The lock was not acquired, so the action did not run; check acquired()");
        }
        return value;
    }

    /** What the action returned, or {@code other} if it did not run. */
    public T orElse(T other) {
        return acquired ? value : other;
    }

    /** The action's result if it ran and returned non-null. */
    public Optional<T> toOptional() {
        return acquired ? Optional.ofNullable(value) : Optional.empty();
    }

    @Override
    public String toString() {
        return acquired ? "LockResult[" + value + "]" : "LockResult[not acquired]";
    }
}
