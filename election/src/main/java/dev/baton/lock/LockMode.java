package dev.baton.lock;

/** How a lock is held: exclusively (excludes everything) or shared (excludes only exclusive holders). */
public enum LockMode {
    /** {@code pg_advisory_lock}: one holder at a time. */
    EXCLUSIVE,
    /** {@code pg_advisory_lock_shared}: many shared holders, no exclusive one. */
    SHARED
}
