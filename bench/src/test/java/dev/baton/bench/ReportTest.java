package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report writer on tiny synthetic tables (no timing): the markdown, one SVG per charted table, the header. */
class ReportTest {
    @Test
    void writesTheTablesTheirChartsAndTheQuickModeLabel(@TempDir Path dir) throws Exception {
        Report report = AllBenchmarks.header(true, "bench/run --quick", "15.15", Duration.ofSeconds(3), 42L);
        Report.Table charted = new Report.Table("lock-cost", "Lock <cost>", "text", List.of("contender", "median µs"))
                .chart("µs", false);
        charted.row("Baton", 31.5).row("raw", 30.0);
        charted.bar("Baton", 31.5, 40.0).bar("raw", 30.0, Double.NaN);
        Report.Table plain = new Report.Table("heap", "Heap", "", List.of("locks", "bytes"));
        plain.row(1000, 512.25);
        report.add(charted).add(plain).write(dir);

        String md = Files.readString(dir.resolve("benchmarks.md"), StandardCharsets.UTF_8);
        assertThat(md)
                .contains("**Quick mode**")
                .contains("`bench/run --quick`")
                .contains("| PostgreSQL | 15.15 |")
                .contains("| Baton | 31.5 |")
                .contains("| 1000 | 512.3 |")
                .contains("![Lock <cost>](bench/lock-cost.svg)")
                .doesNotContain("bench/heap.svg");
        String svg = Files.readString(dir.resolve("bench/lock-cost.svg"), StandardCharsets.UTF_8);
        assertThat(svg)
                .startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")
                .contains("Lock &lt;cost&gt;")
                .contains("p99 40.0")
                .doesNotContain("http://www.w3.org/1999/xlink")
                .doesNotContain("<script");
        assertThat(dir.resolve("bench/heap.svg")).doesNotExist();
    }

    @Test
    void aRowOfTheWrongWidthIsRefusedWithTheTableNamed() {
        Report.Table t = new Report.Table("t", "T", "", List.of("a", "b"));
        assertThatThrownBy(() -> t.row("only one"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("table 't' has 2 columns");
    }

    @Test
    void percentilesAreNearestRank() {
        Stats s = Stats.of(new double[] {5, 1, 4, 2, 3});
        assertThat(s.median()).isEqualTo(3);
        assertThat(s.p99()).isEqualTo(5);
        assertThat(s.percentile(20)).isEqualTo(1);
    }
}
