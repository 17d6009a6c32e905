package dev.baton.examples.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Writes the run as one self-contained HTML page (inline SVG and CSS, nothing fetched): one lane per node with its
 * leadership terms, its job runs and the spans it was down; faults as red lines; each hand-over labelled with the gap
 * between one term's end and the next term's start. The page is well-formed XML, and every drawn fact carries
 * {@code class} and {@code data-*} attributes, so a test can read it back and compare it with the run.
 */
final class HtmlReport {
    private static final int WIDTH = 1200;
    private static final int LEFT = 80;
    private static final int RIGHT = 20;
    private static final int TOP = 70;
    private static final int TERM_H = 22;
    private static final int JOB_H = 9;
    private static final String[] JOB_COLORS = {"#2a9d8f", "#e9c46a", "#8e7dbe", "#f4a261", "#6d9dc5"};

    private final Timeline.Snapshot s;
    private final Summary summary;
    private final List<String> jobs;
    private final long from;
    private final long to;
    private final StringBuilder h = new StringBuilder();

    private HtmlReport(Timeline.Snapshot s, Summary summary) {
        this.s = s;
        this.summary = summary;
        this.jobs = Summary.jobs(s);
        this.from = s.origin();
        long last = s.end();
        for (Timeline.Term t : s.terms()) {
            last = Math.max(last, t.open() ? 0 : t.end());
        }
        for (Timeline.Run r : s.runs()) {
            last = Math.max(last, r.start());
        }
        this.to = last + 500_000_000L;
    }

    static Path write(Timeline.Snapshot s, Summary summary, Instant originWall, Path file) throws IOException {
        HtmlReport r = new HtmlReport(s, summary);
        r.page(originWall);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, r.h, StandardCharsets.UTF_8);
        return file;
    }

    private int laneHeight() {
        return TERM_H + jobs.size() * JOB_H + 14;
    }

    private double x(long nanos) {
        double f = (double) (Math.min(Math.max(nanos, from), to) - from) / (to - from);
        return LEFT + f * (WIDTH - LEFT - RIGHT);
    }

    private int laneY(String node) {
        return TOP + s.nodes().indexOf(node) * laneHeight();
    }

    private void page(Instant originWall) {
        int height = TOP + s.nodes().size() * laneHeight() + 40;
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>Baton demo report</title>\n")
                .append("<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}")
                .append("svg text{font:11px system-ui,sans-serif}.ok{color:#1b7a2e}.failed{color:#b00020}")
                .append("table{border-collapse:collapse;margin:8px 0 18px}td,th{border:1px solid #ccc;")
                .append("padding:2px 8px;text-align:right}th{background:#f3f3f3}pre{background:#f7f7f7;padding:8px}")
                .append("</style></head><body>\n");
        h.append("<h1>Baton demo: ").append(s.nodes().size()).append(" node processes, one PostgreSQL</h1>\n");
        h.append("<p>Started ")
                .append(esc(originWall.toString()))
                .append(". Each lane is one node JVM. Thick bars: ")
                .append("leadership terms (fencing term inside). Thin rows: job runs, one row per job. Grey hatching: ")
                .append("the process was dead. Red lines: injected faults. Labels above the lanes: the gap between ")
                .append("the end of one term and the start of the next.</p>\n");
        h.append("<p id=\"verdict\" class=\"")
                .append(summary.ok() ? "ok\">" : "failed\">")
                .append(
                        summary.ok()
                                ? "OK: every firing ran at most once; leaderships never overlapped."
                                : "FAILED: see the summary below.")
                .append("</p>\n");
        h.append("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"timeline\" width=\"")
                .append(WIDTH)
                .append("\" height=\"")
                .append(height)
                .append("\" viewBox=\"0 0 ")
                .append(WIDTH)
                .append(' ')
                .append(height)
                .append("\">\n")
                .append("<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" ")
                .append(
                        "patternTransform=\"rotate(45)\"><rect width=\"3\" height=\"6\" fill=\"#bbb\"/></pattern></defs>\n");
        axis(height);
        for (String node : s.nodes()) {
            lane(node);
        }
        gaps();
        faults(height);
        h.append("</svg>\n");
        legend();
        tables();
        h.append("<h2>Summary</h2>\n<pre id=\"summary\">")
                .append(esc(summary.text()))
                .append("</pre>\n");
        h.append("</body></html>\n");
    }

    private void axis(int height) {
        h.append("<g class=\"axis\">");
        long step = (to - from) > 60_000_000_000L ? 10_000_000_000L : 5_000_000_000L;
        for (long t = from; t <= to; t += step) {
            double px = x(t);
            h.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>",
                    px,
                    TOP - 6,
                    px,
                    height - 30));
            h.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d s</text>",
                    px,
                    height - 16,
                    (t - from) / 1_000_000_000L));
        }
        h.append("</g>\n");
    }

    private void lane(String node) {
        int y = laneY(node);
        h.append("<g class=\"lane\" data-node=\"").append(esc(node)).append("\">");
        h.append(
                String.format(Locale.ROOT, "<text x=\"8\" y=\"%d\" font-weight=\"bold\">%s</text>", y + 15, esc(node)));
        h.append(String.format(
                Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>",
                LEFT,
                y + laneHeight() - 4,
                WIDTH - RIGHT,
                y + laneHeight() - 4));
        for (Timeline.Down d : s.downs()) {
            if (d.node().equals(node)) {
                double x0 = x(d.from());
                double x1 = x(d.to() == Long.MAX_VALUE ? to : d.to());
                h.append(String.format(
                        Locale.ROOT,
                        "<rect class=\"down\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
                                + "height=\"%d\" fill=\"url(#hatch)\"><title>%s down</title></rect>",
                        x0,
                        y,
                        x1 - x0,
                        laneHeight() - 6,
                        esc(node)));
            }
        }
        for (Timeline.Term t : s.terms()) {
            if (t.node().equals(node)) {
                term(t, y);
            }
        }
        for (Timeline.Run r : s.runs()) {
            if (r.node().equals(node)) {
                run(r, y);
            }
        }
        h.append("</g>\n");
    }

    private void term(Timeline.Term t, int y) {
        double x0 = x(t.start());
        double x1 = x(t.open() ? to : t.end());
        h.append(String.format(
                Locale.ROOT,
                "<rect class=\"term\" data-node=\"%s\" data-term=\"%d\" "
                        + "data-start-s=\"%.3f\" data-end-s=\"%s\" data-ended-by=\"%s\" x=\"%.1f\" y=\"%d\" "
                        + "width=\"%.1f\" height=\"%d\" rx=\"3\" fill=\"#264653\"><title>%s term %d: %.3f s to %s"
                        + " (%s)</title></rect>",
                esc(t.node()),
                t.term(),
                summary.seconds(t.start()),
                t.open() ? "" : String.format(Locale.ROOT, "%.3f", summary.seconds(t.end())),
                esc(t.endReason()),
                x0,
                y + 2,
                Math.max(1, x1 - x0),
                TERM_H - 4,
                esc(t.node()),
                t.term(),
                summary.seconds(t.start()),
                t.open() ? "end" : String.format(Locale.ROOT, "%.3f s", summary.seconds(t.end())),
                esc(t.endReason())));
        if (x1 - x0 > 40) {
            h.append(String.format(
                    Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" fill=\"#fff\">term %d</text>", x0 + 4, y + 15, t.term()));
        }
    }

    private void run(Timeline.Run r, int y) {
        int row = jobs.indexOf(r.job());
        double x0 = x(r.start());
        double w = Math.max(2, x(r.end() == Long.MAX_VALUE ? r.start() : r.end()) - x0);
        h.append(String.format(
                Locale.ROOT,
                "<rect class=\"run\" data-node=\"%s\" data-job=\"%s\" data-fire=\"%d\" "
                        + "x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s %s fired %s</title>"
                        + "</rect>",
                esc(r.node()),
                esc(r.job()),
                r.fireEpochMs(),
                x0,
                y + TERM_H + row * JOB_H,
                w,
                JOB_H - 2,
                JOB_COLORS[row % JOB_COLORS.length],
                esc(r.node()),
                esc(r.job()),
                Console.CLOCK.format(Instant.ofEpochMilli(r.fireEpochMs()))));
    }

    /** The gap between consecutive terms, drawn where the old one ended, labelled in ms. */
    private void gaps() {
        List<Timeline.Term> terms = summary.terms();
        for (int i = 1; i < terms.size(); i++) {
            Timeline.Term a = terms.get(i - 1);
            Timeline.Term b = terms.get(i);
            if (a.open()) {
                continue;
            }
            double gapMs = (b.start() - a.end()) / 1e6;
            double xa = x(a.end());
            int ya = laneY(a.node()) + TERM_H / 2;
            int yb = laneY(b.node()) + TERM_H / 2;
            int labelY = TOP - 10 - (i % 2) * 12;
            h.append(String.format(
                    Locale.ROOT,
                    "<g class=\"gap\" data-from-term=\"%d\" data-to-term=\"%d\" "
                            + "data-ms=\"%.3f\"><line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e76f51\" "
                            + "stroke-width=\"2\"/><line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e76f51\" "
                            + "stroke-dasharray=\"1,2\"/><text x=\"%.1f\" y=\"%d\" fill=\"#c0392b\">%d\u2192%d %s</text></g>\n",
                    a.term(),
                    b.term(),
                    gapMs,
                    xa,
                    ya,
                    x(b.start()),
                    yb,
                    xa,
                    labelY + 2,
                    xa,
                    Math.min(ya, yb),
                    xa + 2,
                    labelY,
                    a.term(),
                    b.term(),
                    gapLabel(gapMs)));
        }
    }

    private static String gapLabel(double ms) {
        return ms >= 1000 ? String.format(Locale.ROOT, "%.1f s", ms / 1000) : String.format(Locale.ROOT, "%.1f ms", ms);
    }

    private void faults(int height) {
        int i = 0;
        for (Timeline.Fault f : s.faults()) {
            double px = x(f.at());
            h.append(String.format(
                    Locale.ROOT,
                    "<g class=\"fault\" data-kind=\"%s\" data-node=\"%s\" data-at-s=\"%.3f\">"
                            + "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#d62828\" "
                            + "stroke-dasharray=\"4,3\"/><text x=\"%.1f\" y=\"%d\" fill=\"#d62828\">%s %s</text></g>\n",
                    esc(f.kind()),
                    esc(f.node()),
                    summary.seconds(f.at()),
                    px,
                    TOP - 40,
                    px,
                    height - 30,
                    px + 3,
                    14 + (i % 2) * 14,
                    esc(f.kind()),
                    esc(f.node())));
            i++;
        }
    }

    private void legend() {
        h.append("<p>Jobs: ");
        for (int i = 0; i < jobs.size(); i++) {
            h.append("<span style=\"color:")
                    .append(JOB_COLORS[i % JOB_COLORS.length])
                    .append("\">\u25a0 ")
                    .append(esc(jobs.get(i)))
                    .append("</span> ");
        }
        h.append("</p>\n");
    }

    private void tables() {
        h.append("<h2>Firings</h2>\n<table id=\"firings\"><tr><th>job</th><th>scheduled</th><th>run</th>")
                .append("<th>duplicated</th><th>lost</th></tr>\n");
        for (Summary.Firings f : summary.firings()) {
            h.append(String.format(
                    Locale.ROOT,
                    "<tr data-job=\"%s\" data-scheduled=\"%d\" data-run=\"%d\" "
                            + "data-duplicated=\"%d\" data-lost=\"%d\"><td>%s</td><td>%d</td><td>%d</td><td>%d</td>"
                            + "<td>%d</td></tr>\n",
                    esc(f.job()),
                    f.scheduled(),
                    f.run(),
                    f.duplicated(),
                    f.lost(),
                    esc(f.job()),
                    f.scheduled(),
                    f.run(),
                    f.duplicated(),
                    f.lost()));
        }
        h.append("</table>\n");
        h.append(String.format(
                Locale.ROOT,
                "<p id=\"writes\" data-accepted=\"%d\" data-refused=\"%d\">Fenced writes:"
                        + " %d accepted, %d refused by <code>UPDATE ... WHERE term &lt;= ?</code>.</p>\n",
                summary.writes(true),
                summary.writes(false),
                summary.writes(true),
                summary.writes(false)));
    }

    private static String esc(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
