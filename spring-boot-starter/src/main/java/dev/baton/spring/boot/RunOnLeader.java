package dev.baton.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the method only while this instance leads the named group (one of {@code baton.leader.groups}); on every other
 * instance the call is skipped, counted and logged at DEBUG. The usual use is a {@code @Scheduled} method that must run
 * on the leader only.
 *
 * <p>Leadership is checked when the call starts ({@code LeaderElector.isLeader()}, no round trip); a call already
 * running is not interrupted when leadership is lost, so by the time it ends another instance may lead. For work that
 * must stop on loss, use a {@code LeaderTask} bean for the group instead, which is interrupted. The method must return
 * {@code void}; an unknown group fails startup.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface RunOnLeader {
    /** The group name; {@code ${...}} placeholders are resolved at startup. */
    String value();
}
