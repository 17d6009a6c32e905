package dev.baton.quartz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** The DDL shipped in docs/sql, so tests use what users would run. */
final class Docs {
    private Docs() {}

    static String[] ledgerDdl(String table) {
        try {
            String sql = Files.readString(Path.of("..", "docs", "sql", "baton_job_firings.sql"));
            return Arrays.stream(sql.replaceAll("(?m)^--.*$", "").split(";"))
                    .map(String::strip)
                    .filter(s -> !s.isEmpty())
                    .map(s -> s.replace("baton_job_firings", table))
                    .toArray(String[]::new);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
