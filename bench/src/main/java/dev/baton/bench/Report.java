package dev.baton.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the benchmarks measured, written as {@code benchmarks.md} with one SVG chart per table under {@code bench/}
 * beside it. Every figure in the file comes from a {@link Table} filled by a benchmark of this run; the rest is the
 * header (machine, versions, command) and the text each benchmark gives for its table.
 */
final class Report {
    /** One bar of a chart: a median and, when known, a p99 drawn as a whisker. */
    record Bar(String label, double median, double p99) {}

    /** One table and its chart. */
    static final class Table {
        final String slug;
        final String title;
        final String text;
        final List<String> columns;
        final List<List<String>> rows = new ArrayList<>();
        final List<Bar> bars = new ArrayList<>();
        String chartUnit = "";
        boolean logScale;

        Table(String slug, String title, String text, List<String> columns) {
            if (!slug.matches("[a-z0-9-]+")) {
                throw new IllegalArgumentException("table slug '" + slug + "' must be lower-case letters, digits, -");
            }
            this.slug = slug;
            this.title = title;
            this.text = text;
            this.columns = List.copyOf(columns);
        }

        Table row(Object... cells) {
            if (cells.length != columns.size()) {
                throw new IllegalArgumentException(
                        "table '" + slug + "' has " + columns.size() + " columns, a row has " + cells.length);
            }
            List<String> row = new ArrayList<>();
            for (Object c : cells) {
                row.add(format(c));
            }
            rows.add(row);
            return this;
        }

        Table chart(String unit, boolean log) {
            this.chartUnit = unit;
            this.logScale = log;
            return this;
        }

        Table bar(String label, double median, double p99) {
            bars.add(new Bar(label, median, p99));
            return this;
        }
    }

    private final String title;
    private final List<String> header = new ArrayList<>();
    private final List<Table> tables = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    Report(String title) {
        this.title = title;
    }

    Report header(String line) {
        header.add(line);
        return this;
    }

    Report add(Table table) {
        tables.add(table);
        return this;
    }

    Report note(String line) {
        notes.add(line);
        return this;
    }

    List<Table> tables() {
        return List.copyOf(tables);
    }

    /** Writes {@code dir/benchmarks.md} and {@code dir/bench/<slug>.svg} per table with bars. */
    void write(Path dir) throws IOException {
        Path charts = dir.resolve("bench");
        Files.createDirectories(charts);
        StringBuilder md = new StringBuilder();
        md.append("# ").append(title).append("\n\n");
        for (String h : header) {
            md.append(h).append('\n');
        }
        md.append('\n');
        for (Table t : tables) {
            md.append("## ").append(t.title).append("\n\n");
            if (!t.text.isEmpty()) {
                md.append(t.text).append("\n\n");
            }
            md.append('|');
            for (String c : t.columns) {
                md.append(' ').append(c).append(" |");
            }
            md.append("\n|");
            for (int i = 0; i < t.columns.size(); i++) {
                md.append("---|");
            }
            md.append('\n');
            for (List<String> row : t.rows) {
                md.append('|');
                for (String c : row) {
                    md.append(' ').append(c.replace("|", "\\|")).append(" |");
                }
                md.append('\n');
            }
            md.append('\n');
            if (!t.bars.isEmpty()) {
                Files.writeString(
                        charts.resolve(t.slug + ".svg"),
                        Svg.barChart(t.title, t.chartUnit, t.logScale, t.bars),
                        StandardCharsets.UTF_8);
                md.append("![")
                        .append(t.title)
                        .append("](bench/")
                        .append(t.slug)
                        .append(".svg)\n\n");
            }
        }
        for (String n : notes) {
            md.append(n).append('\n');
        }
        Files.writeString(dir.resolve("benchmarks.md"), md.toString(), StandardCharsets.UTF_8);
    }

    static String format(Object cell) {
        if (cell instanceof Double d) {
            double v = d;
            if (Double.isNaN(v)) {
                return "—";
            }
            double a = Math.abs(v);
            if (a >= 1000 || (v == Math.rint(v) && a >= 100)) {
                return String.format(Locale.ROOT, "%,.0f", v);
            }
            if (a >= 10) {
                return String.format(Locale.ROOT, "%.1f", v);
            }
            if (a >= 1) {
                return String.format(Locale.ROOT, "%.2f", v);
            }
            return String.format(Locale.ROOT, "%.3f", v);
        }
        return String.valueOf(cell);
    }
}
