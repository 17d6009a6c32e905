package dev.baton.spring.boot.autoconfigure;

import dev.baton.lock.LockClient;
import dev.baton.lock.LockLease;
import dev.baton.spring.boot.BatonLeaders;
import dev.baton.spring.boot.RunExclusively;
import dev.baton.spring.boot.RunOnLeader;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Proxies beans with {@link RunExclusively} or {@link RunOnLeader} methods so each call is guarded: with a lease on
 * the lock, released in a {@code finally}, or only while leading. Each annotated method is checked when its bean is
 * made (void, placeholders, lock name, duration) and its group once every bean exists, so bad use fails startup.
 *
 * <p>Thread-safe: guards and counters are in concurrent maps; calls run on the caller's thread.
 */
final class GuardedCallsPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor
        implements SmartInitializingSingleton {
    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(GuardedCallsPostProcessor.class);

    private final transient ObjectProvider<LockClient> lockClient;
    private final transient ObjectProvider<BatonLeaders> leaders;
    private final transient ObjectProvider<BatonMetricsBinding> metrics;
    private final transient Environment environment;
    private final transient Map<Method, GuardedMethod> guards = new ConcurrentHashMap<>();
    private final transient Map<String, Counts> counts = new ConcurrentHashMap<>();

    /** Calls of one task: run, skipped, failed. */
    record Counts(AtomicLong ran, AtomicLong skipped, AtomicLong failed) {
        Counts() {
            this(new AtomicLong(), new AtomicLong(), new AtomicLong());
        }
    }

    GuardedCallsPostProcessor(
            ObjectProvider<LockClient> lockClient,
            ObjectProvider<BatonLeaders> leaders,
            ObjectProvider<BatonMetricsBinding> metrics,
            Environment environment) {
        this.lockClient = lockClient;
        this.leaders = leaders;
        this.metrics = metrics;
        this.environment = environment;
        ComposablePointcut pointcut = new ComposablePointcut(
                        AnnotationMatchingPointcut.forMethodAnnotation(RunExclusively.class))
                .union(AnnotationMatchingPointcut.forMethodAnnotation(RunOnLeader.class));
        this.advisor = new DefaultPointcutAdvisor(pointcut, (MethodInterceptor) this::invoke);
        setBeforeExistingAdvisors(true);
        // Scheduled beans are rarely behind interfaces: proxy the class, so the annotated method is what is called.
        setProxyTargetClass(true);
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        Class<?> target = AopUtils.getTargetClass(bean);
        ReflectionUtils.doWithMethods(ClassUtils.getUserClass(target), method -> {
            GuardedMethod guard = GuardedMethod.of(method, environment);
            if (guard != null) {
                guards.put(method, guard);
                counts.computeIfAbsent(guard.task(), t -> new Counts());
            }
        });
        return super.postProcessAfterInitialization(bean, beanName);
    }

    @Override
    public void afterSingletonsInstantiated() {
        BatonLeaders known = leaders.getIfAvailable();
        for (Map.Entry<Method, GuardedMethod> e : guards.entrySet()) {
            GuardedMethod g = e.getValue();
            if (!g.exclusive() && (known == null || known.elector(g.group()).isEmpty())) {
                throw new IllegalStateException(e.getKey().getDeclaringClass().getName() + "."
                        + e.getKey().getName()
                        + "() is @RunOnLeader(\"" + g.group() + "\"), but there is no such group (known: "
                        + (known == null ? "none" : known.groups()) + "). Add baton.leader.groups." + g.group()
                        + ".* to the configuration, or fix the name");
            }
        }
    }

    /** Calls per task name, sorted, for the endpoint: ran, skipped, failed. */
    Map<String, Map<String, Long>> counts() {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        counts.forEach((task, c) -> out.put(
                task,
                Map.of(
                        "ran",
                        c.ran().get(),
                        "skipped",
                        c.skipped().get(),
                        "failed",
                        c.failed().get())));
        return out;
    }

    private Object invoke(MethodInvocation invocation) throws Throwable {
        Method method = invocation.getMethod();
        Object target = invocation.getThis();
        GuardedMethod guard = guards.get(
                target == null ? method : AopUtils.getMostSpecificMethod(method, AopUtils.getTargetClass(target)));
        if (guard == null) {
            guard = guards.computeIfAbsent(method, m -> GuardedMethod.of(m, environment));
        }
        Counts c = counts.computeIfAbsent(guard.task(), t -> new Counts());
        return guard.exclusive() ? withLock(guard, c, invocation) : whileLeading(guard, c, invocation);
    }

    private Object withLock(GuardedMethod guard, Counts c, MethodInvocation invocation) throws Throwable {
        Optional<LockLease> lease;
        try {
            LockClient client = lockClient.getObject();
            lease = guard.waitFor().isZero()
                    ? client.tryAcquire(guard.lock())
                    : client.tryAcquire(guard.lock(), guard.waitFor());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lease = Optional.empty();
        } catch (RuntimeException e) {
            count(guard, c.failed(), "failed");
            throw e;
        }
        if (lease.isEmpty()) {
            count(guard, c.skipped(), "skipped");
            log.debug("Skipped {}: lock '{}' is held elsewhere", guard.task(), guard.lock());
            return null;
        }
        try (LockLease held = lease.get()) {
            return proceed(guard, c, invocation);
        }
    }

    private Object whileLeading(GuardedMethod guard, Counts c, MethodInvocation invocation) throws Throwable {
        if (!leaders.getObject().isLeader(guard.group())) {
            count(guard, c.skipped(), "skipped");
            log.debug("Skipped {}: this instance does not lead group '{}'", guard.task(), guard.group());
            return null;
        }
        return proceed(guard, c, invocation);
    }

    private Object proceed(GuardedMethod guard, Counts c, MethodInvocation invocation) throws Throwable {
        try {
            Object result = invocation.proceed();
            count(guard, c.ran(), "ran");
            return result;
        } catch (Throwable t) {
            count(guard, c.failed(), "failed");
            throw t;
        }
    }

    private void count(GuardedMethod guard, AtomicLong counter, String outcome) {
        counter.incrementAndGet();
        BatonMetricsBinding binding = metrics.getIfAvailable();
        if (binding != null) {
            binding.scheduledCall(guard.task(), outcome);
        }
    }
}
