package dev.baton.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the method only if the named Baton lock can be taken now, on any instance of the application: the usual use is a
 * {@code @Scheduled} method that must run on one instance per tick. The lock is a thread-free
 * {@link dev.baton.lock.LockLease}, held for the call and released after it on every path (return or exception). When
 * another holder has it (another instance, or a call still running here), the call is skipped: counted, logged at
 * DEBUG, and the method is not invoked.
 *
 * <p>Applies to every call through the Spring bean (the scheduler's, or any other caller's), not to calls from the
 * bean to itself. The method must return {@code void}: a skipped call has no value to return, so any other return type
 * fails startup. If the lock's session dies during the call, the call is not interrupted: check
 * {@code LockLease.isValid()} in long work, or make it idempotent.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface RunExclusively {
    /** The lock name (a {@code LockKey.named} name); {@code ${...}} placeholders are resolved at startup. */
    String value();

    /**
     * How long to wait for the lock before skipping, as a Spring Boot duration ({@code 0s}, {@code 500ms}, {@code PT2S});
     * placeholders allowed. Default {@code 0s}: do not wait.
     */
    String waitFor() default "0s";
}
