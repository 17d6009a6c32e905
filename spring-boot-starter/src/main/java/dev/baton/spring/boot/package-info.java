/**
 * Baton's Spring Boot integration: the annotations {@link dev.baton.spring.boot.RunExclusively} and
 * {@link dev.baton.spring.boot.RunOnLeader}, and {@link dev.baton.spring.boot.BatonLeaders}, the group electors. The
 * auto-configuration itself is in {@code dev.baton.spring.boot.autoconfigure} (not API: configure it through
 * {@code baton.*} properties, or replace a bean with your own).
 */
package dev.baton.spring.boot;
