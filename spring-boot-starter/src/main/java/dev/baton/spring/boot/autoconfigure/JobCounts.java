package dev.baton.spring.boot.autoconfigure;

import java.util.Map;

/** The Quartz guard's counts by job and outcome, without Quartz types (the endpoint loads without Quartz). */
interface JobCounts {
    Map<String, Map<String, Long>> snapshot();
}
