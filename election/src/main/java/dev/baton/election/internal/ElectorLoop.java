package dev.baton.election.internal;

import dev.baton.BatonException;
import dev.baton.election.LeadershipEvent.Reason;
import dev.baton.internal.SqlStates;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session thread: connect, wait for the lock, take a term, lead while watching the socket and checking, release;
 * on any failure revoke first, then discard the session and reconnect with bounded backoff.
 *
 * <p>Confined to the session thread, except {@link #cancelWait()}: {@link #waitingSession} is the only field another
 * thread reads (close() cancels a blocked lock wait through it).
 */
final class ElectorLoop implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ElectorLoop.class);
    /** Longest socket read between looks at the elector's state: bounds the delay of close(), yield and task end. */
    private static final int WAKE_SLICE_MS = 10;

    private static final long MIN_BACKOFF_NANOS = 100_000_000L;

    private final LeadershipState leadership;
    private final ElectorConfig config;
    private final TaskStopWait taskStop;
    private volatile ElectorSession waitingSession; // the session blocked in pg_advisory_lock, for cancelWait()
    private ElectorSession session; // null while disconnected
    private long rejoinAtNanos; // no contending before this (after a yield or a task's end)
    private Leadership lastTerm; // the latest term won here, whose task may still be stopping

    ElectorLoop(LeadershipState leadership, ElectorSession first) {
        this.leadership = leadership;
        this.config = leadership.config;
        this.taskStop = new TaskStopWait(config, leadership.metrics);
        this.session = first;
    }

    /** Ends a candidate's blocked lock wait so it sees the closing flag at once. Any thread; never blocks. */
    void cancelWait() {
        ElectorSession s = waitingSession;
        if (s != null) {
            s.cancel();
        }
    }

    @Override
    public void run() {
        long backoff = MIN_BACKOFF_NANOS;
        while (!leadership.isClosing()) {
            try {
                if (session == null) {
                    session = ElectorSession.open(config);
                    log.info("Elector '{}' connected (backend pid {})", config.instanceId, session.backendPid());
                }
                backoff = MIN_BACKOFF_NANOS;
                if (!leadership.pauseUntil(rejoinAtNanos)) {
                    continue;
                }
                if (lastTerm != null && !taskStop.awaitStopped(lastTerm)) {
                    pause(config.checkInterval.toNanos()); // the stuck task was reported; look again later
                    continue;
                }
                long candidateSince = System.nanoTime();
                if (!awaitLock()) {
                    continue;
                }
                Leadership l = leadership.elect(session, session.bumpTerm(), candidateSince);
                lastTerm = l;
                try {
                    lead(l);
                    afterLeading(l);
                } finally {
                    // Also when the release failed (the session died while the task stopped): a yield keeps its pause.
                    if (l.pausesBeforeRejoin()) {
                        rejoinAtNanos = System.nanoTime() + config.rejoinAfterYield.toNanos();
                    }
                }
            } catch (ElectorRefusal e) {
                log.error("Elector '{}' refuses to lead: {}", config.instanceId, e.getMessage());
                fail(Reason.LOCK_LOST, e);
                backoff = config.maxReconnectBackoff.toNanos();
                pause(backoff);
            } catch (SQLException | RuntimeException e) {
                fail(Reason.CONNECTION_LOST, e);
                // A server that is away gets a growing backoff; an error that reconnecting will not cure (a revoked
                // privilege on the terms table, say) gets the longest one at once, so it is not retried in a loop.
                boolean transientFailure = !(e instanceof SQLException sql) || SqlStates.connectionLost(sql);
                long wait = transientFailure ? backoff : config.maxReconnectBackoff.toNanos();
                if (!leadership.isClosing()) {
                    log.warn(
                            "Elector '{}' lost its session ({}, SQLState {}); reconnecting in {} ms",
                            config.instanceId,
                            e.getMessage(),
                            e instanceof SQLException sql ? sql.getSQLState() : "-",
                            wait / 1_000_000);
                }
                pause(wait);
                backoff = Math.min(backoff * 2, config.maxReconnectBackoff.toNanos());
            } catch (InterruptedException e) {
                log.warn("Session thread of elector '{}' interrupted; stopping", config.instanceId);
                break;
            } catch (Throwable t) {
                log.error("Elector '{}' session loop failed; continuing", config.instanceId, t);
                fail(Reason.CONNECTION_LOST, t);
                pause(config.maxReconnectBackoff.toNanos());
            }
        }
        shutdown();
    }

    /** Native wait slices; false when closing. Between slices, the candidate re-checks it is on a primary. */
    private boolean awaitLock() throws SQLException {
        waitingSession = session;
        try {
            while (!leadership.isClosing()) {
                if (session.awaitLock()) {
                    return !leadership.isClosing(); // closing: shutdown() releases it with the session
                }
                if (session.check().inRecovery) {
                    throw ElectorSession.standby(config, "found between two lock waits that it is connected to");
                }
            }
            return false;
        } finally {
            waitingSession = null;
        }
    }

    /** Leads until revoked; throws when the session fails, unless it was dropped on purpose to hand the lock over. */
    private void lead(Leadership l) throws SQLException, InterruptedException {
        long checkNanos = config.checkInterval.toNanos();
        long nextCheck = System.nanoTime() + checkNanos;
        try {
            while (leadership.current() == l && !leadership.isClosing()) {
                long now = System.nanoTime();
                if (now - nextCheck >= 0) {
                    nextCheck = now + checkNanos;
                    check(l, now);
                    continue;
                }
                int wait = (int) Math.max(1, Math.min(WAKE_SLICE_MS, (nextCheck - now) / 1_000_000));
                session.watchSocket(wait);
            }
        } catch (SQLException | RuntimeException e) {
            if (l.release().claim()) {
                throw e; // a real failure; claimed, so a late hand-over leaves the session to fail()
            }
            session = null; // handed over: another thread dropped the session to release the lock at once
        }
    }

    private void check(Leadership l, long startNanos) throws SQLException {
        ElectorSession.Check c;
        try {
            c = session.check();
        } catch (SQLException e) {
            if (SqlStates.connectionLost(e)) {
                throw e;
            }
            leadership.metrics.checkFailed();
            log.warn(
                    "Check of elector '{}' failed (SQLState {}): {}",
                    config.instanceId,
                    e.getSQLState(),
                    e.getMessage());
            return; // the watchdog steps down if this goes on for stepDownAfter
        }
        if (c.pid != session.backendPid()) {
            throw ElectorPoolerProbe.pooler(
                    config, "backend pid changed from " + session.backendPid() + " to " + c.pid);
        }
        if (c.inRecovery) {
            // A leader's server is a standby now (a proxy that moved us, a replica behind a name): step down, and
            // refuse to lead until the server is a primary again. run() logs it at ERROR and revokes LOCK_LOST.
            throw ElectorSession.standby(config, "found on its periodic check that it is connected to");
        }
        if (!c.held) {
            leadership.revoke(
                    l,
                    Reason.LOCK_LOST,
                    new BatonException("Check found that backend pid " + c.pid + " no longer holds " + config.key
                            + " (released by someone with the same session?)"));
            return;
        }
        long end = System.nanoTime();
        leadership.goodCheck(end);
        leadership.metrics.checkSucceeded(end - startNanos);
    }

    /**
     * Graceful end: wait (bounded) for the task, then release, unless another thread handed the lock over already; a
     * session in doubt is discarded instead.
     */
    private void afterLeading(Leadership l) throws SQLException {
        leadership.revoke(l, Reason.STOPPED, null); // no-op unless the loop ended by closing
        if (session == null) {
            return; // handed over while leading
        }
        Reason why = l.revokedFor();
        if (why == Reason.CHECK_TIMEOUT) {
            // The session may still hold the lock: keep it while the old task stops, within the margin the timing
            // contract gives it (serverReleaseAfter - stepDownAfter), so no successor starts beside it.
            taskStop.awaitStoppedWithin(
                    l, config.serverReleaseAfter.minus(config.stepDownAfter).toMillis());
        }
        if (why == Reason.CHECK_TIMEOUT || why == Reason.LOCK_LOST) {
            discard(false);
            return;
        }
        taskStop.awaitStopped(l);
        if (!l.release().claim()) {
            session = null; // the task's end handed it over meanwhile
            return;
        }
        if (!session.unlock()) {
            log.warn(
                    "Elector '{}' released term {} but PostgreSQL says the lock was not held",
                    config.instanceId,
                    l.term());
        }
    }

    private void fail(Reason reason, Throwable cause) {
        leadership.revoke(leadership.current(), reason, cause);
        if (session != null) {
            leadership.metrics.sessionLost();
            discard(false);
        }
    }

    private void discard(boolean healthy) {
        ElectorSession s = session;
        session = null;
        if (s != null) {
            s.discard(healthy);
        }
    }

    private void pause(long nanos) {
        try {
            leadership.pauseUntil(System.nanoTime() + nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closing: the task has been interrupted; wait for it (bounded), then release and close the session. */
    private void shutdown() {
        if (lastTerm != null) {
            taskStop.awaitStopped(lastTerm);
        }
        discard(true); // pg_advisory_unlock_all(), then close
    }
}
