package dev.baton.lock;

import java.time.Instant;
import java.util.Objects;

/**
 * One key this client holds in one mode, as {@link LockClient#heldLocks()} reports it: a snapshot, for health checks
 * and operators, not for decisions (a hold may end an instant later).
 *
 * @param key the key; {@link LockKey#name()} is the name it was first taken under, when it had one
 * @param mode exclusive or shared
 * @param holders how many holders of this client hold it in this mode (threads and leases; a re-entrant thread counts
 *     once)
 * @param since when the earliest of those holds was taken
 * @param valid false when its session died and the holders have not let go yet
 */
public record HeldLock(LockKey key, LockMode mode, int holders, Instant since, boolean valid) {
    /** Validates the components. */
    public HeldLock {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(since, "since");
    }
}
