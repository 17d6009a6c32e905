package dev.baton.election.internal;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The release of one term's lock, done once. The session thread does it when it sees the term end (wait for the task,
 * then {@code pg_advisory_unlock}); but it is usually blocked in a socket read, which nothing can wake early. So a term
 * given up gracefully (close, yield, task end) is handed over at once by the thread that sees it end last — the one
 * that revoked it, or the task's thread as the task returns: it drops the session (evict or abort), the server sees
 * the socket close, ends the backend and grants the lock to the next candidate without waiting for a read slice.
 *
 * <p>Thread-safe: {@link #claimed} decides who releases; the loser never touches the session again.
 */
final class TermRelease {
    private final Leadership term;
    private final ElectorSession session;
    private final AtomicBoolean claimed = new AtomicBoolean();

    TermRelease(Leadership term, ElectorSession session) {
        this.term = term;
        this.session = session;
    }

    /**
     * Any thread: if the term ended gracefully and its task has stopped, drops the session now (the server frees the
     * lock as the backend ends). Never blocks on the session thread.
     */
    void handOverIfReady() {
        if (term.endedGracefully() && term.taskStopped() && claimed.compareAndSet(false, true)) {
            session.discard(false);
        }
    }

    /** The session thread takes the release for itself; false if it was handed over (the session is gone). */
    boolean claim() {
        return claimed.compareAndSet(false, true);
    }
}
