package dev.baton.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Runs the README's demo as CI can afford it (3 node JVMs, {@code baton.demoSeconds}, default 12 s, every fault) and
 * reads its HTML report back: one lane per node, every term, run, fault and hand-over of the run drawn, the tables'
 * counts those of the summary, and the run itself sound (no firing twice, no unfenced overlap, a takeover after each
 * fault, the stale write refused).
 */
class DemoClusterIT {
    private static final String SECONDS = System.getProperty("baton.demoSeconds", "12");

    @Test
    @Timeout(240)
    void shouldDrawInItsReportExactlyWhatTheRunRecorded() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        DemoOptions options = DemoOptions.parse("--duration", SECONDS, "--report-dir", "target/demo-it");
        Demo.Result result = Demo.run(options, new PrintStream(captured, true, StandardCharsets.UTF_8));
        String out = captured.toString(StandardCharsets.UTF_8);
        System.out.print(out); // into the failsafe output file, for a look after a failure

        Timeline.Snapshot run = result.timeline();
        Summary summary = result.summary();
        List<String> lines = out.lines().collect(Collectors.toList());
        assertThat(lines.get(lines.size() - 1))
                .as("last line: the report's path")
                .isEqualTo(result.report().toString());

        assertThat(summary.duplicates()).as("firings run twice").isZero();
        assertThat(summary.violations()).as("unfenced leadership overlaps").isZero();
        assertThat(run.faults())
                .extracting(Timeline.Fault::kind)
                .containsExactly("SIGKILL", "pg_terminate_backend", "restart", "yield", "SIGKILL", "restart");
        assertThat(run.faults().stream().filter(f -> !f.kind().equals("restart")))
                .as("a new leader after every fault")
                .allMatch(f -> f.takeoverNanos() >= 0);
        assertThat(run.writes()).as("the stale leader's write is refused").anyMatch(w -> w.stale() && !w.accepted());
        assertThat(summary.ok()).isTrue();

        Document report = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(result.report().toFile());
        XPath xp = XPathFactory.newInstance().newXPath();
        assertThat(attributes(report, xp, "//g[@class='lane']", "data-node")).containsExactlyElementsOf(run.nodes());
        assertThat(run.nodes()).hasSize(3);

        List<String> drawnTerms = new ArrayList<>();
        for (Element e : elements(report, xp, "//rect[@class='term']")) {
            drawnTerms.add(e.getAttribute("data-node") + "#" + e.getAttribute("data-term") + "#"
                    + e.getAttribute("data-ended-by"));
        }
        assertThat(drawnTerms)
                .containsExactlyInAnyOrderElementsOf(run.terms().stream()
                        .map(t -> t.node() + "#" + t.term() + "#" + t.endReason())
                        .collect(Collectors.toList()));

        List<String> drawnRuns = new ArrayList<>();
        for (Element e : elements(report, xp, "//rect[@class='run']")) {
            drawnRuns.add(
                    e.getAttribute("data-node") + " " + e.getAttribute("data-job") + " " + e.getAttribute("data-fire"));
        }
        assertThat(drawnRuns)
                .containsExactlyInAnyOrderElementsOf(run.runs().stream()
                        .map(r -> r.node() + " " + r.job() + " " + r.fireEpochMs())
                        .collect(Collectors.toList()));

        assertThat(attributes(report, xp, "//g[@class='fault']", "data-kind"))
                .containsExactlyElementsOf(
                        run.faults().stream().map(Timeline.Fault::kind).collect(Collectors.toList()));
        assertThat(elements(report, xp, "//g[@class='gap']"))
                .hasSize(run.terms().size() - 1);
        assertThat(elements(report, xp, "//rect[@class='down']")).hasSameSizeAs(run.downs());

        List<String> tableRows = new ArrayList<>();
        for (Element e : elements(report, xp, "//table[@id='firings']/tr[@data-job]")) {
            tableRows.add(e.getAttribute("data-job") + " " + e.getAttribute("data-scheduled") + " "
                    + e.getAttribute("data-run") + " " + e.getAttribute("data-duplicated") + " "
                    + e.getAttribute("data-lost"));
        }
        assertThat(tableRows)
                .containsExactlyElementsOf(summary.firings().stream()
                        .map(f -> f.job() + " " + f.scheduled() + " " + f.run() + " " + f.duplicated() + " " + f.lost())
                        .collect(Collectors.toList()));
        assertThat(summary.firings()).allSatisfy(f -> assertThat(f.run()).isPositive());

        Element writes = elements(report, xp, "//p[@id='writes']").get(0);
        assertThat(Long.parseLong(writes.getAttribute("data-accepted"))).isEqualTo(summary.writes(true));
        assertThat(Long.parseLong(writes.getAttribute("data-refused"))).isEqualTo(summary.writes(false));
        assertThat(elements(report, xp, "//p[@id='verdict']").get(0).getAttribute("class"))
                .isEqualTo("ok");
        assertThat(Path.of(result.report().toString())).isAbsolute();
    }

    private static List<Element> elements(Document doc, XPath xp, String path) throws Exception {
        NodeList nodes = (NodeList) xp.evaluate(path, doc, XPathConstants.NODESET);
        List<Element> list = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            list.add((Element) nodes.item(i));
        }
        return list;
    }

    private static List<String> attributes(Document doc, XPath xp, String path, String attribute) throws Exception {
        return elements(doc, xp, path).stream()
                .map(e -> e.getAttribute(attribute))
                .collect(Collectors.toList());
    }
}
