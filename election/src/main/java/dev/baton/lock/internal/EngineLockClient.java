package dev.baton.lock.internal;

import dev.baton.internal.Validate;
import dev.baton.lock.DistributedLock;
import dev.baton.lock.HeldLock;
import dev.baton.lock.LockClient;
import dev.baton.lock.LockHolder;
import dev.baton.lock.LockKey;
import dev.baton.lock.LockLease;
import dev.baton.lock.LockMode;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/** The parts of a {@link LockClient} shared by the PostgreSQL and in-memory clients. */
abstract class EngineLockClient implements LockClient {
    final LockEngine engine;

    EngineLockClient(LockEngine engine) {
        this.engine = engine;
        engine.bind(this);
    }

    @Override
    public DistributedLock lock(LockKey key) {
        return new EngineLock(engine, Objects.requireNonNull(key, "key must not be null"), LockMode.EXCLUSIVE);
    }

    @Override
    public DistributedLock sharedLock(LockKey key) {
        return new EngineLock(engine, Objects.requireNonNull(key, "key must not be null"), LockMode.SHARED);
    }

    @Override
    public Optional<LockLease> tryAcquire(LockKey key) {
        return lease(key, LockMode.EXCLUSIVE);
    }

    @Override
    public Optional<LockLease> tryAcquire(LockKey key, Duration timeout) throws InterruptedException {
        return lease(key, LockMode.EXCLUSIVE, timeout);
    }

    @Override
    public Optional<LockLease> tryAcquireShared(LockKey key) {
        return lease(key, LockMode.SHARED);
    }

    @Override
    public Optional<LockLease> tryAcquireShared(LockKey key, Duration timeout) throws InterruptedException {
        return lease(key, LockMode.SHARED, timeout);
    }

    private Optional<LockLease> lease(LockKey key, LockMode mode) {
        EngineLease lease = new EngineLease(engine, Objects.requireNonNull(key, "key must not be null"), mode);
        try {
            return engine.acquire(key, mode, lease, 0, false) ? Optional.of(lease) : Optional.empty();
        } catch (InterruptedException e) {
            throw new AssertionError("try-acquire threw InterruptedException", e);
        }
    }

    private Optional<LockLease> lease(LockKey key, LockMode mode, Duration timeout) throws InterruptedException {
        EngineLease lease = new EngineLease(engine, Objects.requireNonNull(key, "key must not be null"), mode);
        Validate.nonNegative(timeout, "Lock timeout");
        if (Thread.interrupted()) {
            throw new InterruptedException("Interrupted before acquiring " + key);
        }
        boolean acquired = engine.acquire(key, mode, lease, Deadline.timeoutNanos(timeout), true);
        return acquired ? Optional.of(lease) : Optional.empty();
    }

    @Override
    public List<LockHolder> holders(LockKey key) {
        Objects.requireNonNull(key, "key must not be null");
        if (engine.isClosed()) {
            throw new IllegalStateException("LockClient '" + instanceId() + "' is closed; create a new client");
        }
        return engine.backend().holders(key);
    }

    @Override
    public List<HeldLock> heldLocks() {
        return engine.heldLocks();
    }

    @Override
    public OptionalInt sessionPid() {
        return engine.backend().sessionPid();
    }

    @Override
    public String instanceId() {
        return engine.instanceId();
    }

    @Override
    public void close() {
        if (engine.close()) {
            engine.backend().close();
            engine.closeNotifier();
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "['" + instanceId() + "']";
    }
}
