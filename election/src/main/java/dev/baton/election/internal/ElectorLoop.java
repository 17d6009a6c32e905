package dev.baton.election.internal;

import dev.baton.BatonException;
import dev.baton.election.LeadershipEvent.Reason;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session thread: connect, wait for the lock, take a term, lead while watching the socket and checking, release;
 * on any failure revoke first, then discard the session and reconnect with bounded backoff.
 */
final class ElectorLoop implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ElectorLoop.class);
    /** Longest socket read between looks at the elector's state: bounds the delay of close(), yield and task end. */
    private static final int WAKE_SLICE_MS = 10;

    private static final long MIN_BACKOFF_NANOS = 100_000_000L;

    private final LeadershipState elector;
    private final ElectorConfig config;
    private ElectorSession session; // only the session thread touches it after construction
    private volatile ElectorSession waiting; // the session blocked in pg_advisory_lock, for cancelWait()
    private long rejoinAtNanos; // session thread only
    private Leadership previous; // session thread only
    private Leadership reportedStuck; // session thread only: the term whose stuck task was already logged

    ElectorLoop(LeadershipState elector, ElectorSession first) {
        this.elector = elector;
        this.config = elector.config;
        this.session = first;
    }

    void cancelWait() {
        ElectorSession s = waiting;
        if (s != null) {
            s.cancel();
        }
    }

    @Override
    public void run() {
        long backoff = MIN_BACKOFF_NANOS;
        while (!elector.isClosing()) {
            try {
                if (session == null) {
                    session = ElectorSession.open(config);
                    log.info("Elector '{}' connected (backend pid {})", config.instanceId, session.backendPid());
                }
                backoff = MIN_BACKOFF_NANOS;
                if (!elector.pauseUntil(rejoinAtNanos)) {
                    continue;
                }
                if (!previousTaskStopped()) {
                    pause(config.checkInterval.toNanos()); // the stuck task was reported; look again later
                    continue;
                }
                long since = System.nanoTime();
                if (!awaitLock()) {
                    continue;
                }
                Leadership l = elector.elect(session.bumpTerm(), since);
                previous = l;
                lead(l);
                afterLeading(l);
            } catch (ElectorRefusal e) {
                log.error("Elector '{}' refuses to lead: {}", config.instanceId, e.getMessage());
                fail(Reason.LOCK_LOST, e);
                backoff = config.maxReconnectBackoff.toNanos();
                pause(backoff);
            } catch (SQLException | RuntimeException e) {
                fail(Reason.CONNECTION_LOST, e);
                // A server that is away gets a growing backoff; an error that reconnecting will not cure (a revoked
                // privilege on the terms table, say) gets the longest one at once, so it is not retried in a loop.
                boolean transientFailure = !(e instanceof SQLException sql) || ElectorImpl.isTransient(sql);
                long wait = transientFailure ? backoff : config.maxReconnectBackoff.toNanos();
                if (!elector.isClosing()) {
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
        waiting = session;
        try {
            while (!elector.isClosing()) {
                if (session.awaitLock()) {
                    return !elector.isClosing(); // closing: shutdown() releases it with the session
                }
                if (session.check().inRecovery) {
                    throw ElectorSession.standby(config);
                }
            }
            return false;
        } finally {
            waiting = null;
        }
    }

    /** Leads until revoked; throws when the session fails. */
    private void lead(Leadership l) throws SQLException, InterruptedException {
        long checkNanos = config.checkInterval.toNanos();
        long nextCheck = System.nanoTime() + checkNanos;
        while (elector.current() == l && !elector.isClosing()) {
            long now = System.nanoTime();
            if (now - nextCheck >= 0) {
                nextCheck = now + checkNanos;
                check(l, now);
                continue;
            }
            int wait = (int) Math.max(1, Math.min(WAKE_SLICE_MS, (nextCheck - now) / 1_000_000));
            session.watchSocket(wait);
        }
    }

    private void check(Leadership l, long startNanos) throws SQLException {
        ElectorSession.Check c;
        try {
            c = session.check();
        } catch (SQLException e) {
            if (ElectorImpl.isTransient(e)) {
                throw e;
            }
            elector.metrics.checkFailed();
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
            throw ElectorSession.standby(config);
        }
        if (!c.held) {
            elector.revoke(
                    l,
                    Reason.LOCK_LOST,
                    new BatonException("Check found that backend pid " + c.pid + " no longer holds " + config.key
                            + " (released by someone with the same session?)"));
            return;
        }
        long end = System.nanoTime();
        elector.goodCheck(end);
        elector.metrics.checkSucceeded(end - startNanos);
    }

    /** Graceful end: wait (bounded) for the task, then release; a session in doubt is discarded instead. */
    private void afterLeading(Leadership l) throws SQLException {
        elector.revoke(l, Reason.STOPPED, null); // no-op unless the loop ended by closing
        Reason why = l.revokedFor();
        if (why == Reason.CHECK_TIMEOUT) {
            // The session may still hold the lock: keep it while the old task stops, within the margin the timing
            // contract gives it (serverReleaseAfter - stepDownAfter), so no successor starts beside it.
            joinTask(l, config.serverReleaseAfter.minus(config.stepDownAfter).toMillis());
        }
        if (why == Reason.CHECK_TIMEOUT || why == Reason.LOCK_LOST) {
            discard(false);
            return;
        }
        awaitTask(l);
        if (!session.unlock()) {
            log.warn(
                    "Elector '{}' released term {} but PostgreSQL says the lock was not held",
                    config.instanceId,
                    l.term());
        }
        if (why == Reason.YIELDED || why == Reason.TASK_FINISHED || why == Reason.TASK_FAILED) {
            rejoinAtNanos = System.nanoTime() + config.rejoinAfterYield.toNanos();
        }
    }

    /** Whether the previous term's task has stopped; waits for it (bounded) so two tasks never run here at once. */
    private boolean previousTaskStopped() {
        return previous == null || awaitTask(previous);
    }

    private static void joinTask(Leadership l, long boundMs) {
        Thread t = l.taskThread();
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(Math.max(1, boundMs));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private boolean awaitTask(Leadership l) {
        Thread t = l.taskThread();
        if (t == null || !t.isAlive()) {
            return true;
        }
        if (reportedStuck == l) {
            return false; // already waited taskStopTimeout and reported it
        }
        try {
            t.join(Math.max(1, config.taskStopTimeout.toMillis())); // join(0) would wait for ever
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            reportedStuck = l;
            elector.metrics.taskIgnoredInterrupt();
            log.error(
                    "Leader task of '{}' (group '{}', term {}) ignored interruption for {} ms; this instance stays"
                            + " out of the election until it stops. Stack:\n{}",
                    config.instanceId,
                    config.group,
                    l.term(),
                    config.taskStopTimeout.toMillis(),
                    Arrays.stream(t.getStackTrace()).map(e -> "\tat " + e).collect(Collectors.joining("\n")));
            return false;
        }
        return true;
    }

    private void fail(Reason reason, Throwable cause) {
        elector.revoke(elector.current(), reason, cause);
        if (session != null) {
            elector.metrics.sessionLost();
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
            elector.pauseUntil(System.nanoTime() + nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closing: the task has been interrupted; wait for it (bounded), then release and close the session. */
    private void shutdown() {
        Leadership l = previous;
        if (l != null) {
            awaitTask(l);
        }
        discard(true); // pg_advisory_unlock_all(), then close
    }
}
