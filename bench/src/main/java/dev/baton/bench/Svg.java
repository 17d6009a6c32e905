package dev.baton.bench;

import java.util.List;
import java.util.Locale;

/** A horizontal bar chart as inline SVG (no fonts, scripts or links to fetch): a bar per median, a p99 whisker. */
final class Svg {
    private static final int PLOT_W = 420;
    private static final int ROW_H = 22;
    private static final int TOP = 34;

    private Svg() {}

    static String barChart(String title, String unit, boolean log, List<Report.Bar> bars) {
        double max = 0;
        double min = Double.MAX_VALUE;
        for (Report.Bar b : bars) {
            max = Math.max(max, Math.max(b.median(), nan0(b.p99())));
            if (b.median() > 0) {
                min = Math.min(min, b.median());
            }
        }
        if (max <= 0) {
            max = 1;
        }
        int longest = bars.stream().mapToInt(b -> b.label().length()).max().orElse(10);
        int labelW = Math.max(200, (int) (longest * 6.8) + 16); // about 6.8 px per character at 12 px sans-serif
        double lo = log ? Math.pow(10, Math.floor(Math.log10(Math.min(min, max)))) : 0;
        int height = TOP + bars.size() * ROW_H + 30;
        int width = labelW + PLOT_W + 150;
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                        + " font-family=\"sans-serif\" font-size=\"12\">\n",
                width,
                height,
                width,
                height));
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append(text(8, 18, 14, "bold", title + " (" + unit + (log ? ", log scale" : "") + ")"));
        for (int i = 0; i < bars.size(); i++) {
            Report.Bar b = bars.get(i);
            int y = TOP + i * ROW_H;
            s.append(text(8, y + 14, 12, "normal", b.label()));
            double w = scale(b.median(), lo, max, log);
            s.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n",
                    labelW,
                    y + 3,
                    Math.max(1, w),
                    ROW_H - 8,
                    b.label().startsWith("Baton") ? "#2b6cb0" : "#a0aec0"));
            double p99 = b.p99();
            if (!Double.isNaN(p99) && p99 > b.median()) {
                double x2 = labelW + scale(p99, lo, max, log);
                int cy = y + ROW_H / 2;
                s.append(String.format(
                        Locale.ROOT,
                        "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>"
                                + "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>\n",
                        labelW + w,
                        cy,
                        x2,
                        cy,
                        x2,
                        cy - 4,
                        x2,
                        cy + 4));
            }
            s.append(text(
                    labelW + (int) Math.max(w, Double.isNaN(p99) ? 0 : scale(p99, lo, max, log)) + 6,
                    y + 14,
                    11,
                    "normal",
                    Report.format(b.median()) + (Double.isNaN(p99) ? "" : " (p99 " + Report.format(p99) + ")")));
        }
        s.append(text(
                8,
                height - 10,
                11,
                "normal",
                "bar: median" + (bars.stream().anyMatch(b -> !Double.isNaN(b.p99())) ? "; whisker: p99" : "")));
        s.append("</svg>\n");
        return s.toString();
    }

    private static double scale(double v, double lo, double max, boolean log) {
        if (log) {
            if (v <= lo) {
                return 0;
            }
            return PLOT_W * (Math.log10(v) - Math.log10(lo)) / (Math.log10(max) - Math.log10(lo));
        }
        return PLOT_W * v / max;
    }

    private static double nan0(double v) {
        return Double.isNaN(v) ? 0 : v;
    }

    private static String text(int x, int y, int size, String weight, String body) {
        return String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" font-size=\"%d\" font-weight=\"%s\">%s</text>\n",
                x,
                y,
                size,
                weight,
                escape(body));
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
