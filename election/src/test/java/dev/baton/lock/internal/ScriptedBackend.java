package dev.baton.lock.internal;

import dev.baton.lock.LockHolder;
import dev.baton.lock.LockKey;
import dev.baton.lock.LockMode;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A backend whose answers a test scripts, to drive the engine through interleavings PostgreSQL makes rare. */
class ScriptedBackend implements Backend {
    /** A server hold whose session a test can kill. */
    static final class Hold implements ServerHold {
        private final String name;
        volatile boolean valid = true;

        Hold(String name) {
            this.name = name;
        }

        @Override
        public boolean valid() {
            return valid;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    @FunctionalInterface
    interface Answer {
        ServerHold answer(int call) throws InterruptedException;
    }

    volatile Answer onTry = call -> new Hold("try-" + call);
    volatile Answer onBeside = call -> new Hold("beside-" + call);
    volatile Answer onAwait = call -> new Hold("await-" + call);
    final AtomicInteger tries = new AtomicInteger();
    final AtomicInteger besides = new AtomicInteger();
    final AtomicInteger awaits = new AtomicInteger();
    final AtomicInteger looks = new AtomicInteger();
    /** What a look at the server's queue answers: another session waits for the key exclusively. */
    volatile boolean exclusiveWaiter;

    final List<ServerHold> released = new CopyOnWriteArrayList<>();

    @Override
    public ServerHold tryAcquire(LockKey key, LockMode mode) {
        try {
            return onTry.answer(tries.incrementAndGet());
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public ServerHold acquireBeside(ServerHold otherMode, LockKey key, LockMode mode, long waitMs) {
        try {
            return onBeside.answer(besides.incrementAndGet());
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public ServerHold await(LockKey key, LockMode mode, long deadlineNanos, boolean interruptible)
            throws InterruptedException {
        return onAwait.answer(awaits.incrementAndGet());
    }

    @Override
    public boolean exclusiveWaiter(ServerHold sharedHold, LockKey key) {
        looks.incrementAndGet();
        return exclusiveWaiter;
    }

    @Override
    public boolean release(LockKey key, LockMode mode, ServerHold hold) {
        released.add(hold);
        return true;
    }

    @Override
    public List<LockHolder> holders(LockKey key) {
        return List.of();
    }

    @Override
    public void close() {}
}
