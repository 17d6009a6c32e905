package dev.baton.examples;

import dev.baton.lock.DistributedLock;
import dev.baton.lock.LockClient;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;

/**
 * go-pglock's read/write scenario "report generation": report generators read the data under a shared lock; the
 * nightly data load takes the exclusive lock, waits until the running report is done, and only then starts loading.
 * Returns whether the load started only after the report finished (true).
 */
public final class ReportGeneration {
    private ReportGeneration() {}

    public static void main(String[] args) throws Exception {
        Example.onEmbeddedPostgres(ReportGeneration::run);
    }

    static boolean run(DataSource dataSource) throws InterruptedException {
        try (LockClient reports =
                        LockClient.builder(dataSource).instanceId("reports").build();
                LockClient loader =
                        LockClient.builder(dataSource).instanceId("loader").build()) {
            DistributedLock read = reports.sharedLock("sales-data");
            DistributedLock load = loader.lock("sales-data");
            AtomicBoolean reportDone = new AtomicBoolean();
            CountDownLatch loadWaiting = new CountDownLatch(1);
            AtomicBoolean loadSawReportDone = new AtomicBoolean();
            Thread nightlyLoad = new Thread(
                    () -> {
                        loadWaiting.countDown();
                        load.lock(); // waits for the report's shared hold to go
                        try {
                            loadSawReportDone.set(reportDone.get());
                            Example.say("load starts; report finished first: " + reportDone.get());
                        } finally {
                            load.unlock();
                        }
                    },
                    "nightly-load");
            read.lock();
            try {
                nightlyLoad.start();
                loadWaiting.await(5, TimeUnit.SECONDS);
                Example.say("report generating under the shared lock; the load is waiting");
                reportDone.set(true);
            } finally {
                read.unlock();
            }
            nightlyLoad.join();
            return loadSawReportDone.get();
        }
    }
}
