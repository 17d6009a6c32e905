package dev.baton.examples.boot;

import dev.baton.election.LeaderTask;
import dev.baton.election.LeadershipEvent;
import dev.baton.spring.boot.RunExclusively;
import dev.baton.spring.boot.RunOnLeader;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import org.quartz.CronScheduleBuilder;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * A Spring Boot application on the Baton starter: a {@code @Scheduled} method on one instance per tick
 * ({@link RunExclusively}), one on the leader only ({@link RunOnLeader}), a leader task, a Quartz job guarded on Boot's
 * scheduler, and the {@code baton} health and endpoint. Run two copies against one PostgreSQL
 * ({@code spring.datasource.url}); {@code SampleApplicationTwoInstancesIT} does that in one JVM.
 */
@SpringBootApplication
@EnableScheduling
public class SampleApplication {
    private static final Logger log = LoggerFactory.getLogger(SampleApplication.class);

    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }

    /** What ran where, in order: the test reads it; a real app would do its work instead. Thread-safe. */
    @Bean
    Journal journal() {
        return new Journal();
    }

    /** Runs while this instance leads group {@code sample} (bean named for the group); interrupted on loss. */
    @Bean(name = "sample")
    LeaderTask sampleLeaderTask(Journal journal) {
        return ctx -> {
            journal.add("leader-task-started term=" + ctx.term());
            try {
                Thread.sleep(Long.MAX_VALUE); // holds leadership until interrupted: the task's whole job here
            } catch (InterruptedException e) {
                journal.add("leader-task-stopped term=" + ctx.term());
                Thread.currentThread().interrupt();
            }
        };
    }

    @Bean
    JobDetail reportJob() {
        return JobBuilder.newJob(ReportJob.class)
                .withIdentity("report", "sample")
                .storeDurably()
                .build();
    }

    @Bean
    Trigger reportTrigger(JobDetail reportJob) {
        return TriggerBuilder.newTrigger()
                .forJob(reportJob)
                .withIdentity("report-every-second", "sample")
                // Cron: every instance computes the same scheduled fire times, so the ledger sees each one once.
                .withSchedule(CronScheduleBuilder.cronSchedule("* * * * * ?"))
                .build();
    }

    /** A Quartz job (Boot's job factory injects it); the guard lets each scheduled firing run on one instance. */
    @DisallowConcurrentExecution
    public static class ReportJob implements Job {
        private final Journal journal;

        public ReportJob(Journal journal) {
            this.journal = journal;
        }

        @Override
        public void execute(JobExecutionContext context) {
            journal.add("quartz " + context.getScheduledFireTime().getTime());
        }
    }

    /** The scheduled methods. */
    @Component
    public static class Tasks {
        private final Journal journal;

        public Tasks(Journal journal) {
            this.journal = journal;
        }

        /** Once per tick across all instances: the first to take the lock runs it, the others skip. */
        @Scheduled(fixedRateString = "${sample.tick:200ms}")
        @RunExclusively(value = "${sample.lock:sample-cleanup}")
        public void cleanup() {
            journal.add("cleanup-start");
            // Stands for real work that takes part of the tick; the lock is held meanwhile.
            LockSupport.parkNanos(Duration.ofMillis(80).toNanos());
            journal.add("cleanup-end");
        }

        /** Only on the leader of group {@code sample}. */
        @Scheduled(fixedRateString = "${sample.tick:200ms}")
        @RunOnLeader("sample")
        public void leaderOnly() {
            journal.add("leader-only");
        }

        @EventListener
        public void onLeadership(LeadershipEvent event) {
            log.info("Leadership: {}", event);
            journal.add(event.type() + " " + event.reason() + " term=" + event.term());
        }
    }

    /** An append-only log of what ran on this instance, each entry stamped with System.nanoTime(). Thread-safe. */
    public static final class Journal {
        private final List<Entry> entries = new CopyOnWriteArrayList<>();

        /**
         * One thing that happened.
         *
         * @param nanos System.nanoTime() when it was recorded (one clock for every instance in a JVM)
         * @param what what happened
         */
        public record Entry(long nanos, String what) {}

        public void add(String what) {
            entries.add(new Entry(System.nanoTime(), what));
        }

        public List<Entry> entries() {
            return List.copyOf(entries);
        }
    }
}
