package dev.baton.lock;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** A named thread of its own, since lock holds belong to threads: run steps on it and wait for their results. */
final class OnThread implements AutoCloseable {
    private final ExecutorService executor;

    OnThread(String name) {
        this.executor = Executors.newSingleThreadExecutor(r -> new Thread(r, name));
    }

    <T> T call(Callable<T> step) throws Exception {
        try {
            return executor.submit(step).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception) {
                throw (Exception) e.getCause();
            }
            throw e;
        }
    }

    /** A yes/no question answered on this thread (a typed {@link #call}, for assertions). */
    boolean check(Callable<Boolean> step) throws Exception {
        return call(step);
    }

    void run(Runnable step) throws Exception {
        call(() -> {
            step.run();
            return null;
        });
    }

    <T> Future<T> submit(Callable<T> step) {
        return executor.submit(step);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
