package dev.baton.lock.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

/**
 * When one acquire gives up ({@link #NONE}: never), and whether its waits are interruptible. An interrupt of an
 * uninterruptible wait is remembered and re-asserted when the acquire returns. Confined to the acquiring thread.
 */
final class Deadline {
    /** No deadline. */
    static final long NONE = Long.MAX_VALUE;

    private final long at;
    private final boolean interruptible;
    private boolean interrupted;

    private Deadline(long at, boolean interruptible) {
        this.at = at;
        this.interruptible = interruptible;
    }

    /** A deadline {@code timeoutNanos} from now; negative for none. */
    static Deadline after(long timeoutNanos, boolean interruptible) {
        return new Deadline(timeoutNanos < 0 ? NONE : System.nanoTime() + timeoutNanos, interruptible);
    }

    /** A validated timeout in nanoseconds; -1 (no bound) for one too long to count, about 292 years or more. */
    static long timeoutNanos(Duration timeout) {
        try {
            return timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return -1;
        }
    }

    long at() {
        return at;
    }

    boolean interruptible() {
        return interruptible;
    }

    boolean expired() {
        return at != NONE && at - System.nanoTime() <= 0;
    }

    long remainingMillis() {
        return remainingMillis(at);
    }

    /**
     * Waits for a signal on {@code changed} (its lock held); false if the deadline has passed. Spurious wakeups are
     * fine: the caller's loop re-checks the key's state after every return.
     */
    @SuppressWarnings("WaitNotInLoop")
    boolean await(Condition changed) throws InterruptedException {
        if (at == NONE) {
            if (interruptible) {
                changed.await();
            } else {
                changed.awaitUninterruptibly();
            }
            return true;
        }
        long left = at - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        try {
            changed.awaitNanos(left);
        } catch (InterruptedException e) {
            if (interruptible) {
                throw e;
            }
            interrupted = true; // the flag is now clear, so the next wait does not return at once
        }
        return true;
    }

    /** For a wait that does not pass through {@link #await}: throws if interruptible and interrupted. */
    void checkInterrupt(Object waitingFor) throws InterruptedException {
        if (interruptible && Thread.interrupted()) {
            throw new InterruptedException("Interrupted while waiting for " + waitingFor);
        }
    }

    void reassertInterrupt() {
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Nanoseconds left before {@code at} (may be negative); {@code Long.MAX_VALUE} for {@link #NONE}. */
    static long remainingNanos(long at) {
        return at == NONE ? Long.MAX_VALUE : at - System.nanoTime();
    }

    /** Milliseconds left before {@code at}, at least 0; {@code Long.MAX_VALUE} for {@link #NONE}. */
    static long remainingMillis(long at) {
        long nanos = remainingNanos(at);
        return nanos == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, TimeUnit.NANOSECONDS.toMillis(nanos));
    }
}
