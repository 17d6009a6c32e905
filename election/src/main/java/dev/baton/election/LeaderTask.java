package dev.baton.election;

/**
 * Work that runs while this instance leads its group (Curator {@code LeaderSelector} semantics).
 *
 * <p>{@link #run(LeaderContext)} runs on its own named thread, one call per term. When leadership is lost (connection
 * lost, lock lost, checks timed out, {@link LeaderElector#yieldLeadership()}, {@link LeaderElector#close()}) the thread
 * is interrupted and the task must stop promptly: {@code close()} waits for it only for a bounded time and then reports
 * it. By default a task that returns (or throws) gives up leadership and the instance re-enters the election.
 */
@FunctionalInterface
public interface LeaderTask {
    /**
     * Does the leader's work.
     *
     * @param context the term, and a way to check that it is still held
     * @throws InterruptedException when interrupted because leadership was lost; let it propagate
     */
    void run(LeaderContext context) throws InterruptedException;
}
