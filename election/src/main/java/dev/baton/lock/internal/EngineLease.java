package dev.baton.lock.internal;

import dev.baton.lock.LockKey;
import dev.baton.lock.LockLease;
import dev.baton.lock.LockLostException;
import dev.baton.lock.LockMode;
import java.util.concurrent.atomic.AtomicBoolean;

/** A {@link LockLease}: the lease object itself is the holder the engine records, so it belongs to no thread. */
final class EngineLease implements LockLease {
    private final LockEngine engine;
    private final LockKey key;
    private final LockMode mode;
    private final AtomicBoolean released = new AtomicBoolean();

    EngineLease(LockEngine engine, LockKey key, LockMode mode) {
        this.engine = engine;
        this.key = key;
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
    public boolean isValid() {
        return !released.get() && engine.invalidReason(key, mode, this) == null;
    }

    @Override
    public void checkValid() {
        String reason = released.get() ? "it was released" : engine.invalidReason(key, mode, this);
        if (reason != null) {
            throw new LockLostException("The " + mode + " lease on " + key + " of client '" + engine.instanceId()
                    + "' is not valid: " + reason);
        }
    }

    @Override
    public void release() {
        if (released.compareAndSet(false, true)) {
            engine.release(key, mode, this);
        }
    }

    @Override
    public String toString() {
        return "LockLease[" + key + ", " + mode + ", client '" + engine.instanceId() + "']";
    }
}
