package dev.baton.examples;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;

/**
 * A Quartz application that gets the guard from {@code quartz.properties} alone (the file
 * {@code examples-quartz.properties} next to this class): {@code org.quartz.plugin.baton.class =
 * dev.baton.quartz.JobLockGuardPlugin} on a Quartz data source (HikariCP provider). No Baton code in the application.
 * Takes the JDBC URL (the smoke test passes its server's); returns whether the guarded job ran.
 */
public final class QuartzPropertiesOnly {
    static final CountDownLatch RAN = new CountDownLatch(1);

    private QuartzPropertiesOnly() {}

    public static void main(String[] args) throws Exception {
        try (dev.baton.testkit.PostgresServer server =
                dev.baton.testkit.PostgresServer.builder().start()) {
            run(server.jdbcUrl());
        }
    }

    static Properties properties(String jdbcUrl) throws IOException {
        Properties props = new Properties();
        try (InputStream in = QuartzPropertiesOnly.class.getResourceAsStream("examples-quartz.properties")) {
            props.load(in);
        }
        // The lines an application would not have: this run's server, whose URL carries its user.
        props.setProperty("org.quartz.dataSource.main.URL", jdbcUrl);
        props.remove("org.quartz.dataSource.main.user");
        props.remove("org.quartz.dataSource.main.password");
        return props;
    }

    static boolean run(String jdbcUrl) throws Exception {
        Scheduler scheduler = new StdSchedulerFactory(properties(jdbcUrl)).getScheduler();
        try {
            scheduler.scheduleJob(
                    JobBuilder.newJob(HelloJob.class)
                            .withIdentity("hello", "examples")
                            .build(),
                    TriggerBuilder.newTrigger()
                            .withSchedule(SimpleScheduleBuilder.repeatSecondlyForever())
                            .build());
            scheduler.start();
            boolean ran = RAN.await(15, TimeUnit.SECONDS);
            System.out.println("guarded by " + scheduler.getListenerManager().getTriggerListeners() + "; ran: " + ran);
            return ran;
        } finally {
            scheduler.shutdown(true);
        }
    }

    /** A plain Quartz job: nothing in it knows about Baton. */
    public static final class HelloJob implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            RAN.countDown();
        }
    }
}
