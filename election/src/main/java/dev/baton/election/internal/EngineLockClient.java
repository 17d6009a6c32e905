package dev.baton.election.internal;

import dev.baton.election.DistributedLock;
import dev.baton.election.LockClient;
import dev.baton.election.LockHolder;
import dev.baton.election.LockKey;
import dev.baton.election.LockMode;
import java.util.List;
import java.util.Objects;

/** The parts of a {@link LockClient} shared by the PostgreSQL and in-memory clients. */
abstract class EngineLockClient implements LockClient {
    final LockEngine engine;
    final Backend backend;

    EngineLockClient(LockEngine engine, Backend backend, LockMetrics metrics) {
        this.engine = engine;
        this.backend = backend;
        engine.bind(this, backend, metrics);
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
    public List<LockHolder> holders(LockKey key) {
        Objects.requireNonNull(key, "key must not be null");
        if (engine.isClosed()) {
            throw new IllegalStateException("LockClient '" + instanceId() + "' is closed; create a new client");
        }
        return backend.holders(key);
    }

    @Override
    public String instanceId() {
        return engine.instanceId();
    }

    @Override
    public void close() {
        if (engine.close()) {
            backend.close();
            engine.closeNotifier();
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "['" + instanceId() + "']";
    }
}
