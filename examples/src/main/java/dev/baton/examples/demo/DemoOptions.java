package dev.baton.examples.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The demo's command-line options, validated. Immutable. */
record DemoOptions(
        int nodes,
        Duration duration,
        boolean faults,
        String jdbcUrl,
        String user,
        String password,
        Path reportDir,
        String group,
        List<String> jobs) {

    static final String USAGE = "usage: Demo [--nodes N (2-9, default 3)] [--duration SECONDS (10-600, default 25)]"
            + " [--no-faults] [--jdbc-url jdbc:postgresql://host:port/db] [--user U] [--password P]"
            + " [--report-dir DIR]";

    static DemoOptions parse(String... args) {
        int nodes = 3;
        int seconds = 25;
        boolean faults = true;
        String url = null;
        String user = null;
        String password = null;
        Path dir = Path.of(System.getProperty("baton.demo.dir", "target/baton-demo"));
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--nodes" -> nodes = number(a, value(args, ++i, a), 2, 9);
                case "--duration" -> seconds = number(a, value(args, ++i, a), 10, 600);
                case "--no-faults" -> faults = false;
                case "--jdbc-url" -> url = value(args, ++i, a);
                case "--user" -> user = value(args, ++i, a);
                case "--password" -> password = value(args, ++i, a);
                case "--report-dir" -> dir = Path.of(value(args, ++i, a));
                case "--help", "-h" -> throw new IllegalArgumentException(USAGE);
                default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
            }
        }
        if (url != null && !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("--jdbc-url must start with jdbc:postgresql:, got " + url);
        }
        return new DemoOptions(
                nodes,
                Duration.ofSeconds(seconds),
                faults,
                url,
                user,
                password,
                dir,
                "baton-demo",
                List.of("invoice", "email", "cleanup"));
    }

    DemoOptions withJdbcUrl(String url) {
        return new DemoOptions(nodes, duration, faults, url, user, password, reportDir, group, jobs);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
        }
        return args[i];
    }

    private static int number(String option, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(
                option + " must be a whole number from " + min + " to " + max + ", got " + value);
    }
}
