package dev.baton.lock.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

/**
 * One acquire's waiting on key conditions: until a deadline ({@code Long.MAX_VALUE}: none), interruptible or not. An
 * interrupt of an uninterruptible wait is remembered and re-asserted when the acquire returns.
 */
final class KeyWait {
    private final long deadline;
    private final boolean interruptible;
    private boolean interrupted;

    KeyWait(long deadline, boolean interruptible) {
        this.deadline = deadline;
        this.interruptible = interruptible;
    }

    /**
     * Waits for a signal on {@code changed} (its lock held); false if the deadline has passed. Spurious wakeups are
     * fine: the caller's loop re-checks the key's state after every return.
     */
    @SuppressWarnings("WaitNotInLoop")
    boolean await(Condition changed) throws InterruptedException {
        if (deadline == Long.MAX_VALUE) {
            if (interruptible) {
                changed.await();
            } else {
                changed.awaitUninterruptibly();
            }
            return true;
        }
        long left = deadline - System.nanoTime();
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

    void reassertInterrupt() {
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** A validated timeout in nanoseconds; -1 (no bound) for one too long to count, about 292 years or more. */
    static long timeoutNanos(Duration timeout) {
        try {
            return timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return -1;
        }
    }

    /** Nanoseconds left before {@code deadline} (may be negative); {@code Long.MAX_VALUE} stands for no deadline. */
    static long remainingNanos(long deadline) {
        return deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
    }

    /** Milliseconds left before {@code deadline}, at least 0; {@code Long.MAX_VALUE} for none. */
    static long remainingMillis(long deadline) {
        long nanos = remainingNanos(deadline);
        return nanos == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, TimeUnit.NANOSECONDS.toMillis(nanos));
    }
}
