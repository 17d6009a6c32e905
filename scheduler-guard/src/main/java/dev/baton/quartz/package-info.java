/**
 * Quartz integration: {@link dev.baton.quartz.JobLockGuard} runs each guarded job on one instance at a time and, with
 * its firing ledger, each scheduled firing once across all instances that run the same jobs and triggers.
 *
 * <p><b>Registration in code</b>, before {@code scheduler.start()}:
 *
 * <pre>{@code
 * JobLockGuard.builder(dataSource).build().registerWith(scheduler);
 * }</pre>
 *
 * <p><b>Registration from {@code quartz.properties} alone:</b>
 *
 * <pre>
 * org.quartz.triggerListener.batonGuard.class = dev.baton.quartz.JobLockGuard
 * org.quartz.triggerListener.batonGuard.dataSource = myDS   # an org.quartz.dataSource.myDS.* data source
 * </pre>
 *
 * Quartz then registers it as a trigger listener only; the guard registers itself as a job listener (and a scheduler
 * listener, to close on shutdown) on its first callback, before any release callback of that firing is due (the same
 * happens if code adds it with {@code addTriggerListener} alone). Its configuration is validated when Quartz
 * registers it, so a bad configuration fails {@code getScheduler()}. The other properties are the setters of
 * {@link dev.baton.quartz.JobLockGuard}; see {@code docs/quartz-guard.md} for the whole list.
 */
package dev.baton.quartz;
