package dev.baton.examples.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The orchestrator's handle on one {@link DemoNode} JVM: started with the same {@code java} binary and class path as
 * this JVM, its stdout parsed line by line on a reader thread of its own, its stderr appended to a log file.
 * Thread-safe: the process and stdin are only touched under {@code this}.
 */
final class NodeProcess {
    /** One parsed stdout line of a node. */
    record Line(String node, String kind, List<String> fields, long receivedAt) {}

    final String id;
    private final Process process;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile long readyAt;

    private NodeProcess(String id, Process process) {
        this.id = id;
        this.process = process;
    }

    /** Starts a node JVM; {@code sink} gets each of its lines on the node's reader thread. */
    static NodeProcess start(DemoOptions options, String id, Path log, boolean append, Consumer<Line> sink)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // small, quick-starting JVMs: the demo runs several on a laptop
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xmx96m",
                "-Xshare:auto",
                "-cp",
                System.getProperty("java.class.path"),
                DemoNode.class.getName(),
                options.jdbcUrl(),
                id,
                options.group(),
                String.join(",", options.jobs())));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectError(
                        append
                                ? ProcessBuilder.Redirect.appendTo(log.toFile())
                                : ProcessBuilder.Redirect.to(log.toFile()));
        if (options.user() != null) {
            pb.environment().put("BATON_DEMO_USER", options.user());
            pb.environment().put("BATON_DEMO_PASSWORD", options.password() == null ? "" : options.password());
        }
        NodeProcess node = new NodeProcess(id, pb.start());
        Thread reader = new Thread(() -> node.read(sink), "demo-reader-" + id);
        reader.setDaemon(true);
        reader.start();
        return node;
    }

    private void read(Consumer<Line> sink) {
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                List<String> parts = List.of(line.split(" ", -1));
                Line parsed = new Line(id, parts.get(0), parts.subList(1, parts.size()), System.nanoTime());
                if (parsed.kind().equals("READY")) {
                    readyAt = Long.parseLong(parsed.fields().get(0));
                    ready.countDown();
                }
                sink.accept(parsed);
            }
        } catch (IOException | RuntimeException e) {
            // the process died or printed something else (a JVM crash message): its stderr log has it
        } finally {
            ended.countDown();
        }
    }

    boolean awaitReady(long timeout, TimeUnit unit) throws InterruptedException {
        return ready.await(timeout, unit);
    }

    /** The node's own nanoTime at READY (0 before). */
    long readyAt() {
        return readyAt;
    }

    boolean alive() {
        return process.isAlive();
    }

    synchronized void send(String command) {
        try {
            OutputStream in = process.getOutputStream();
            in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            // the node is gone; the demo reports what it saw
        }
    }

    /** SIGKILL on Linux and macOS: no shutdown hook, no goodbye to PostgreSQL. */
    synchronized void kill() {
        process.destroyForcibly();
    }

    /** Closes stdin (the node closes everything in order and exits); waits for that, else kills it. */
    void stop(long timeout, TimeUnit unit) throws InterruptedException {
        synchronized (this) {
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                // already gone
            }
        }
        if (!process.waitFor(timeout, unit)) {
            kill();
        }
        ended.await(timeout, unit);
    }
}
