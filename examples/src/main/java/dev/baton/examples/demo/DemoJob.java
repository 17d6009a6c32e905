package dev.baton.examples.demo;

import org.quartz.Job;
import org.quartz.JobExecutionContext;

/** The demo's every-second job: reports its run (start and end) and pretends to work for a few milliseconds. */
public final class DemoJob implements Job {
    private static final long WORK_MILLIS = 20;

    @Override
    public void execute(JobExecutionContext context) {
        String job = context.getJobDetail().getKey().getName();
        long fire = context.getScheduledFireTime().toInstant().toEpochMilli();
        NodeProtocol.emit("RUN", job, fire, System.nanoTime());
        try {
            Thread.sleep(WORK_MILLIS); // the job's pretend work
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            NodeProtocol.emit("DONE", job, fire, System.nanoTime());
        }
    }
}
