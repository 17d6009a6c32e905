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
 * <p><b>Registration from {@code quartz.properties} alone</b>, through {@link dev.baton.quartz.JobLockGuardPlugin}:
 *
 * <pre>
 * org.quartz.plugin.batonGuard.class = dev.baton.quartz.JobLockGuardPlugin
 * org.quartz.plugin.batonGuard.dataSource = myDS   # an org.quartz.dataSource.myDS.* data source
 * </pre>
 *
 * Quartz sets the plugin's properties through its setters and then initializes it; the plugin builds the guard with
 * {@link dev.baton.quartz.JobLockGuard#builder(javax.sql.DataSource)} and registers it, before any listener configured
 * in {@code quartz.properties}. A bad configuration fails {@code getScheduler()} with a message naming the property.
 * The other properties are the setters of {@link dev.baton.quartz.JobLockGuardPlugin}; see
 * {@code docs/quartz-guard.md} for the whole list.
 */
package dev.baton.quartz;
