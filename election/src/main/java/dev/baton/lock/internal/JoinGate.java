package dev.baton.lock.internal;

/**
 * When a new local shared holder may join this client's shared server hold of a key. PostgreSQL queues another
 * session's new shared request behind a waiting exclusive request (and a try fails there), so a join is admitted only
 * by a look at the server's queue that started after the joiner arrived and saw no other session waiting for the key
 * exclusively. Once a look saw one, joiners wait behind it: in PostgreSQL's queue, on a waiter session of their own,
 * whose grant beside our hold proves the writer is no longer ahead ({@link #reopened}). Facts hold for one server
 * hold (its token, an "epoch"); a new hold starts from nothing.
 *
 * <p>Not thread-safe: reached only under its {@link KeyState}'s lock.
 */
final class JoinGate {
    private long epoch; // the token of the shared server hold these facts are about
    private long started; // looks started, ever (numbers them)
    private long lastLook; // the newest look of this epoch that answered
    private long clearedUpTo; // the newest look of this epoch that admits: no exclusive waiter elsewhere
    private boolean writerQueued; // the newest look of this epoch saw another session waiting exclusively

    /** The number the first look that starts from now will have: a joiner arriving now needs that one or later. */
    long ticket() {
        return started + 1;
    }

    /** Whether a joiner holding {@code ticket} may join the server hold {@code epoch} now. */
    boolean admits(long epoch, long ticket) {
        return this.epoch == epoch && !writerQueued && clearedUpTo >= ticket;
    }

    /** Whether the newest look at the server hold {@code epoch} saw another session waiting for the key exclusively. */
    boolean writerQueued(long epoch) {
        return this.epoch == epoch && writerQueued;
    }

    /** Whether a look about the server hold {@code epoch} answered since a joiner with {@code ticket} arrived. */
    boolean lookedSince(long epoch, long ticket) {
        return this.epoch == epoch && lastLook >= ticket;
    }

    /** Numbers a look about to start. */
    long begin() {
        return ++started;
    }

    /** The answer of look {@code look} about the server hold {@code epoch}. */
    void looked(long epoch, long look, boolean exclusiveWaiter) {
        if (!moveTo(epoch)) {
            return; // about a hold replaced meanwhile
        }
        // Looks of one key run one at a time (the key is busy meanwhile), so the newest answer is the last one.
        lastLook = look;
        writerQueued = exclusiveWaiter;
        if (!exclusiveWaiter) {
            clearedUpTo = look;
        }
    }

    /**
     * A shared request queued in PostgreSQL behind the writer was granted beside the hold {@code epoch}: the writer is
     * in front no more (it gave up). Counts as a look that admits every joiner waiting now.
     */
    void reopened(long epoch) {
        if (moveTo(epoch)) {
            writerQueued = false;
            lastLook = ++started;
            clearedUpTo = lastLook;
        }
    }

    /** Forgets the facts of an older hold; false if {@code epoch} is older than the one known (tokens only grow). */
    private boolean moveTo(long epoch) {
        if (epoch < this.epoch) {
            return false;
        }
        if (epoch > this.epoch) {
            this.epoch = epoch;
            writerQueued = false;
            lastLook = 0;
            clearedUpTo = 0;
        }
        return true;
    }
}
