package dev.baton.quartz.internal;

/** Leader-only mode: whether this instance may run guarded jobs now. Implementations are thread-safe and cheap. */
interface LeaderGate {
    boolean isLeader();

    /** The instance id recorded in the ledger. */
    String instanceId();
}
