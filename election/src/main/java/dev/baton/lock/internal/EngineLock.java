package dev.baton.lock.internal;

import dev.baton.internal.Validate;
import dev.baton.lock.DistributedLock;
import dev.baton.lock.LockKey;
import dev.baton.lock.LockLostException;
import dev.baton.lock.LockMode;
import dev.baton.lock.LockResult;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** A {@link DistributedLock} handle; all state lives in the engine, so handles are cheap and interchangeable. */
final class EngineLock implements DistributedLock {
    private final LockEngine engine;
    private final LockKey key;
    private final LockMode mode;

    EngineLock(LockEngine engine, LockKey key, LockMode mode) {
        this.engine = engine;
        this.key = Objects.requireNonNull(key, "key must not be null");
        this.mode = mode;
    }

    @Override
    public LockKey key() {
        return key;
    }

    @Override
    public LockMode mode() {
        return mode;
    }

    @Override
    public void lock() {
        try {
            engine.acquire(key, mode, Thread.currentThread(), -1, false);
        } catch (InterruptedException e) {
            throw new AssertionError("uninterruptible acquire threw InterruptedException", e);
        }
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("Interrupted before locking " + key);
        }
        engine.acquire(key, mode, Thread.currentThread(), -1, true);
    }

    @Override
    public boolean tryLock() {
        try {
            return engine.acquire(key, mode, Thread.currentThread(), 0, false);
        } catch (InterruptedException e) {
            throw new AssertionError("try-lock threw InterruptedException", e);
        }
    }

    @Override
    public boolean tryLock(Duration timeout) throws InterruptedException {
        Validate.nonNegative(timeout, "Lock timeout");
        if (Thread.interrupted()) {
            throw new InterruptedException("Interrupted before locking " + key);
        }
        return engine.acquire(key, mode, Thread.currentThread(), Deadline.timeoutNanos(timeout), true);
    }

    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        Objects.requireNonNull(unit, "unit must not be null");
        if (time < 0) {
            throw new IllegalArgumentException("Lock timeout must not be negative, got " + time + " " + unit);
        }
        Duration timeout;
        try {
            timeout = Duration.of(time, unit.toChronoUnit());
        } catch (ArithmeticException tooLong) {
            timeout = Duration.ofSeconds(
                    Long.MAX_VALUE); // e.g. Long.MAX_VALUE hours, the usual j.u.c way to say "no bound"
        }
        return tryLock(timeout);
    }

    @Override
    public void unlock() {
        engine.release(key, mode, Thread.currentThread());
    }

    @Override
    public boolean isHeldByCurrentThread() {
        return holdCount() > 0;
    }

    @Override
    public int holdCount() {
        return engine.holdCount(key, mode, Thread.currentThread());
    }

    @Override
    public boolean isValid() {
        return engine.invalidReason(key, mode, Thread.currentThread()) == null;
    }

    @Override
    public void checkValid() {
        String reason = engine.invalidReason(key, mode, Thread.currentThread());
        if (reason != null) {
            throw new LockLostException("The " + mode + " lock on " + key + " of client '" + engine.instanceId()
                    + "' is not valid: " + reason);
        }
    }

    @Override
    public boolean runImmediately(Runnable action) {
        Objects.requireNonNull(action, "action must not be null");
        return callImmediately(() -> {
                    action.run();
                    return null;
                })
                .acquired();
    }

    @Override
    public <T> LockResult<T> callImmediately(Supplier<? extends T> action) {
        Objects.requireNonNull(action, "action must not be null");
        if (!tryLock()) {
            return LockResult.notAcquired();
        }
        return callAndUnlock(action);
    }

    @Override
    public boolean run(Duration timeout, Runnable action) throws InterruptedException {
        Objects.requireNonNull(action, "action must not be null");
        return call(timeout, () -> {
                    action.run();
                    return null;
                })
                .acquired();
    }

    @Override
    public <T> LockResult<T> call(Duration timeout, Supplier<? extends T> action) throws InterruptedException {
        Objects.requireNonNull(action, "action must not be null");
        if (!tryLock(timeout)) {
            return LockResult.notAcquired();
        }
        return callAndUnlock(action);
    }

    private <T> LockResult<T> callAndUnlock(Supplier<? extends T> action) {
        try {
            return LockResult.of(action.get());
        } finally {
            unlock();
        }
    }

    @Override
    public String toString() {
        return "DistributedLock[" + key + ", " + mode + ", client '" + engine.instanceId() + "']";
    }
}
