package dev.baton.spring.boot.autoconfigure;

import dev.baton.lock.LockKey;
import dev.baton.spring.boot.RunExclusively;
import dev.baton.spring.boot.RunOnLeader;
import java.lang.reflect.Method;
import java.time.Duration;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.env.Environment;

/**
 * One method annotated {@link RunExclusively} or {@link RunOnLeader}, its placeholders resolved and checked at startup.
 * Immutable.
 *
 * @param task {@code SimpleClassName.method}, for logs, counters and the endpoint
 * @param lock the lock name (exclusive kind), else null
 * @param waitFor how long to wait for the lock (exclusive kind)
 * @param group the group (leader kind), else null
 */
record GuardedMethod(String task, String lock, Duration waitFor, String group) {

    /** The guard of {@code method}, or null if it has neither annotation. */
    static GuardedMethod of(Method method, Environment environment) {
        RunExclusively exclusive = AnnotatedElementUtils.findMergedAnnotation(method, RunExclusively.class);
        RunOnLeader leader = AnnotatedElementUtils.findMergedAnnotation(method, RunOnLeader.class);
        if (exclusive == null && leader == null) {
            return null;
        }
        String where = method.getDeclaringClass().getName() + "." + method.getName() + "()";
        if (exclusive != null && leader != null) {
            throw new IllegalStateException(
                    where + " has both @RunExclusively and @RunOnLeader; keep one (a leader-only"
                            + " method needs no lock, and a locked method runs on any instance)");
        }
        if (method.getReturnType() != void.class) {
            throw new IllegalStateException(where + " returns "
                    + method.getReturnType().getSimpleName() + ", but a"
                    + " method annotated @" + (exclusive != null ? "RunExclusively" : "RunOnLeader") + " must return"
                    + " void: a skipped call has no value to return. Make it void and keep results elsewhere");
        }
        String task = method.getDeclaringClass().getSimpleName() + "." + method.getName();
        if (exclusive != null) {
            String lock = resolve(environment, exclusive.value(), where, "lock name");
            try {
                LockKey.named(lock);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(where + ": invalid @RunExclusively lock name: " + e.getMessage(), e);
            }
            String wait = resolve(environment, exclusive.waitFor(), where, "waitFor");
            Duration waitFor;
            try {
                waitFor = DurationStyle.detectAndParse(wait);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(
                        where + ": @RunExclusively waitFor '" + wait + "' is not a duration;"
                                + " write e.g. 0s, 500ms or PT2S",
                        e);
            }
            if (waitFor.isNegative()) {
                throw new IllegalStateException(
                        where + ": @RunExclusively waitFor must not be negative, got " + wait + "; use 0s not to wait");
            }
            return new GuardedMethod(task, lock, waitFor, null);
        }
        return new GuardedMethod(task, null, Duration.ZERO, resolve(environment, leader.value(), where, "group"));
    }

    boolean exclusive() {
        return lock != null;
    }

    private static String resolve(Environment environment, String value, String where, String what) {
        try {
            String resolved = environment.resolveRequiredPlaceholders(value);
            if (resolved.isBlank()) {
                throw new IllegalStateException(where + ": the " + what + " is empty; give it a name");
            }
            return resolved;
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(
                    where + ": cannot resolve the " + what + " '" + value + "': " + e.getMessage()
                            + "; define the property or give a default (${name:default})",
                    e);
        }
    }
}
