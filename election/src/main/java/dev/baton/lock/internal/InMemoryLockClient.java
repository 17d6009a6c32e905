package dev.baton.lock.internal;

import dev.baton.lock.LockHolder;
import dev.baton.lock.LockKey;
import dev.baton.lock.LockMode;
import java.util.List;

/** {@link dev.baton.lock.LockClient#inMemory()}: the engine over a backend that always grants. */
public final class InMemoryLockClient extends EngineLockClient {

    public InMemoryLockClient(String instanceId) {
        super(new LockEngine(
                instanceId, Integer.MAX_VALUE, List.of(), LockMetrics.Factory.NONE, (e, m) -> new MemoryBackend(e)));
    }

    /** Every thread and lease of the JVM stands on one "session": the engine's local bookkeeping decides. */
    private static final class MemoryBackend implements Backend {
        private final LockEngine engine;
        private volatile boolean closed;
        private final ServerHold hold = () -> !closed;

        MemoryBackend(LockEngine engine) {
            this.engine = engine;
        }

        @Override
        public ServerHold tryAcquire(LockKey key, LockMode mode) {
            return hold;
        }

        @Override
        public ServerHold acquireBeside(ServerHold otherMode, LockKey key, LockMode mode, long waitMs) {
            return hold;
        }

        @Override
        public ServerHold await(LockKey key, LockMode mode, long deadlineNanos, boolean interruptible) {
            return hold; // never reached: tryAcquire always grants
        }

        @Override
        public boolean exclusiveWaiter(ServerHold sharedHold, LockKey key) {
            return false; // no other sessions
        }

        @Override
        public boolean release(LockKey key, LockMode mode, ServerHold h) {
            return true;
        }

        @Override
        public List<LockHolder> holders(LockKey key) {
            return engine.localHolders(key);
        }

        @Override
        public void close() {
            closed = true; // holds of a closed client are no longer valid
        }
    }
}
