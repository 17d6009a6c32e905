package dev.baton.lock.internal;

import dev.baton.lock.LockHolder;
import dev.baton.lock.LockKey;
import dev.baton.lock.LockMode;
import java.time.Instant;
import java.util.List;

/** {@link dev.baton.lock.LockClient#inMemory()}: the engine with a backend that always grants. */
public final class InMemoryLockClient extends EngineLockClient {

    public InMemoryLockClient(String instanceId) {
        this(new LockEngine(instanceId, Integer.MAX_VALUE, List.of()));
    }

    private InMemoryLockClient(LockEngine engine) {
        super(engine, new MemoryBackend(engine), LockMetrics.NONE);
    }

    private static final class MemoryBackend implements Backend {
        private final LockEngine engine;
        private volatile boolean closed;
        private final Hold hold = () -> !closed;

        MemoryBackend(LockEngine engine) {
            this.engine = engine;
        }

        @Override
        public Hold tryAcquire(LockKey key, LockMode mode, Hold sameSession, long waitMs) {
            return hold; // every thread of the JVM is one "session": local bookkeeping decides
        }

        @Override
        public Hold awaitAcquire(LockKey key, LockMode mode, long deadlineNanos, boolean interruptible) {
            return hold; // never reached: tryAcquire always succeeds
        }

        @Override
        public boolean release(LockKey key, LockMode mode, Hold h) {
            return true;
        }

        @Override
        public List<LockHolder> holders(LockKey key) {
            int pid = (int) ProcessHandle.current().pid();
            return engine.localHolds(key).stream()
                    .map(h -> new LockHolder(
                            pid, engine.instanceId(), LockMode.values()[(int) h[0]], Instant.ofEpochMilli(h[1])))
                    .toList();
        }

        @Override
        public void close() {
            closed = true; // holds of a closed client are no longer valid
        }
    }
}
