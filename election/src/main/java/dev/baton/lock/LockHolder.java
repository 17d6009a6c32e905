package dev.baton.lock;

import java.time.Instant;
import java.util.Objects;

/**
 * A session that holds an advisory lock, as {@code pg_locks} joined with {@code pg_stat_activity} shows it.
 *
 * @param pid the holding backend's process id ({@code pg_backend_pid()} of the holder)
 * @param applicationName the holder's {@code application_name}; Baton clients set it to their instance id
 * @param mode exclusive or shared
 * @param since when the holding session started: the lock has been held at most since then
 */
public record LockHolder(int pid, String applicationName, LockMode mode, Instant since) {
    /** Validates the components. */
    public LockHolder {
        Objects.requireNonNull(applicationName, "applicationName");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(since, "since");
    }
}
