package io.latentlink.bench.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportTest {
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @TempDir
    Path dir;

    @Test
    void judgesEverySixGoalFromTheFixtureNumbers() throws Exception {
        copyFixtures(dir);
        Report report = Report.compose(dir, "ReportMain --results fixture");

        assertEquals(List.of("met", "met", "met", "not met", "met", "met"), verdicts(report));
        assertTrue(report.problems().isEmpty(), report.problems().toString());
        Goal transport = report.goals().get(2);
        assertTrue(transport.measured().contains("3.60 GB/s") && transport.measured().contains("4096 tokens")
                && transport.measured().contains("72%"), transport.measured());
        // The int8 speed goal fails on the default (per-token) decode, not on per-channel's slow encode.
        Goal int8 = report.goals().get(3);
        assertTrue(int8.measured().contains("decode 0.80 ± 0.10 GB/s") && int8.measured().contains("encode 2.50 ± 0.10 GB/s"),
                int8.measured());
        assertTrue(report.goals().get(4).measured().contains("0.480 x"), report.goals().get(4).measured());
        assertTrue(report.goals().get(5).measured().startsWith("C2C fp16, context (sharer tokens) 600 -> 4200: sender 10.0 -> 10.5 MiB")
                && report.goals().get(5).measured().contains("receiver 20.0 -> 22.0 MiB (1.10 x)"), report.goals().get(5).measured());
    }

    @Test
    void reportHasTheTablesSectionsAndEmbeddedPlots() throws Exception {
        copyFixtures(dir);
        Report report = Report.compose(dir, "ReportMain --results fixture");
        Path written = report.write(dir);
        String md = Files.readString(written);

        assertTrue(md.startsWith("# LatentLink benchmark report\n"));
        assertTrue(md.contains("- date: 2026-11-25T09:50:00Z (the newest run below)"), md);
        assertTrue(md.contains("| transport.json | 2026-11-25T09:00:00Z | 111111111111 | `TransportBench --fixture` |"), md);
        for (String heading : List.of("## Headline", "## Goals (issue 5)", "## Modes (modes.json)", "## Transport (transport.json)",
                "## Context-length scaling (scaling.json)", "## Concurrency (concurrency.json)", "## Codecs (codecs.json)",
                "## Core JMH (core-jmh.json)")) {
            assertTrue(md.contains("\n" + heading + "\n"), heading);
        }
        // modes.md (same run: it names modes.json's date) is included with its headings one level down.
        assertTrue(md.contains("FIXTURE-MODES-MD-MARKER"), md);
        assertTrue(md.contains("\n### Per mode\n"), md);
        assertFalse(md.contains("\n# LatentLink modes benchmark"), md);
        assertTrue(md.contains("| one-hop | fp16 | - | 4096 | 3 | 469,762,048 | 234,881,024 | 0.0652 | 7.20 | 3.60 | 72% |"), md);
        assertTrue(md.contains("| C2C | fp16 | 4 | 64 | 9.00 | 7.11 | 540.0 | 700.0 | 812.5 | 0 |"), md);
        assertTrue(md.contains("| int8 | scales=per_token | [8,256,128] | synthetic | 2.50 ± 0.10 | 0.80 ± 0.10 | 1.031 | 0.516 |"), md);
        assertTrue(md.contains("| C2C fp16 vs TEXT, p50 latency | 40.0 vs 100.0 ms (0.40 x) | modes.json |"), md);
        assertTrue(md.contains("| 4 | int8 encode and decode >= 1 GB/s per core each | codecs.json |"), md);
        // A goal ModesBench judges beyond the six (int8z beside int8) is listed after them.
        assertTrue(md.contains("| + | int8z (int8 + zstd) wire bytes <= 0.5 x fp16, at <= 1 point accuracy loss | modes.json |"
                + " 200000 / 500000 bytes = 0.400 x; accuracy -0.5 points | **met** |"), md);
        assertTrue(md.contains("| rx | K | int8 | scales=per_token | 1,000,000 | 281,250 | 0.563 | 0.00520 |"), md);
        assertTrue(md.contains("| DecoderBenchmark.decode | model=rx | 500.00 ± 20.00 | ops/s | 500 tokens/s |"), md);

        List<String> links = imageLinks(md);
        assertEquals(List.of("plots/modes-accuracy.png", "plots/modes-latency.png", "plots/modes-stages.png",
                "plots/modes-wire-bytes.png", "plots/transport-wire-gbps.png", "plots/transport-raw-gbps.png",
                "plots/scaling-latency.png", "plots/scaling-wire-bytes.png", "plots/scaling-offheap.png",
                "plots/concurrency-throughput.png", "plots/concurrency-p99.png", "plots/concurrency-memory.png",
                "plots/codecs-throughput.png", "plots/codecs-ratio.png"), links);
        for (String link : links) {
            byte[] png = Files.readAllBytes(dir.resolve(link));
            assertTrue(png.length > 1000, link + " is " + png.length + " bytes");
            assertArrayEquals(PNG_MAGIC, Arrays.copyOf(png, 8), link);
        }
        assertEquals(links.size(), report.plots().size());
    }

    @Test
    void missingFilesAreNotMeasuredAndTheirOldPlotsGo() throws Exception {
        copyFixtures(dir);
        Report.compose(dir, "first");
        assertTrue(Files.exists(dir.resolve("plots/transport-wire-gbps.png")));
        for (String f : List.of("transport.json", "scaling.json", "concurrency.json", "codecs.json", "core-jmh.json")) {
            Files.delete(dir.resolve(f));
        }
        Report report = Report.compose(dir, "second");

        assertEquals(List.of("met", "met", "not measured", "not measured", "met", "not measured"), verdicts(report));
        assertEquals("transport.json missing", report.goals().get(2).measured());
        assertTrue(report.goals().get(3).measured().startsWith("codecs.json missing"), report.goals().get(3).measured());
        assertEquals("scaling.json missing", report.goals().get(5).measured());
        assertTrue(report.markdown().contains("| concurrency.json | - | - | not measured: the file is missing |"));
        assertTrue(report.markdown().contains("## Concurrency (concurrency.json)\n\nNot measured: `concurrency.json` is missing"));
        assertFalse(Files.exists(dir.resolve("plots/transport-wire-gbps.png")), "a plot of a file that is gone stays behind");
        assertTrue(Files.exists(dir.resolve("plots/modes-latency.png")));
        assertTrue(report.problems().isEmpty());
    }

    @Test
    void anEmptyFolderGivesAReportWithNothingMeasured() throws Exception {
        Report report = Report.compose(dir, "empty");
        assertEquals(List.of("not measured", "not measured", "not measured", "not measured", "not measured", "not measured"),
                verdicts(report));
        assertTrue(report.markdown().contains("## Headline\n\nNothing measured."));
        assertTrue(report.plots().isEmpty());
    }

    @Test
    void aMalformedFileIsNamedWithTheFieldAndItsGoalIsNotMeasured() throws Exception {
        copyFixtures(dir);
        ObjectNode transport = (ObjectNode) ResultFile.JSON.readTree(dir.resolve("transport.json").toFile());
        ((ObjectNode) transport.get("runs").get(1)).put("tokens", "many");
        Files.writeString(dir.resolve("transport.json"), transport.toString());
        Files.writeString(dir.resolve("codecs.json"), "{\"runs\": [ {\"codec\": \"int8\", ");

        Report report = Report.compose(dir, "malformed");

        assertEquals(2, report.problems().size(), report.problems().toString());
        assertTrue(report.problems().get(0).contains("transport.json.runs[1].tokens: expected an integer, found the string \"many\""),
                report.problems().get(0));
        assertTrue(report.problems().get(1).startsWith("codecs.json: not valid JSON"), report.problems().get(1));
        assertEquals("not measured", report.goals().get(2).verdict());
        assertEquals("transport.json malformed", report.goals().get(2).measured());
        assertTrue(report.markdown().contains("Not measured: `transport.json` is malformed: transport.json.runs[1].tokens"));
        assertTrue(report.markdown().contains("| transport.json | - | - | **malformed**: "));
    }

    @Test
    void aModeWithoutItsP50IsMalformedNotZeroMilliseconds() throws Exception {
        copyFixtures(dir);
        ObjectNode modes = (ObjectNode) ResultFile.JSON.readTree(dir.resolve("modes.json").toFile());
        ((ObjectNode) modes.get("results").get("c2c_fp16")).remove("p50Ms");
        Files.writeString(dir.resolve("modes.json"), modes.toString());

        Report report = Report.compose(dir, "no p50");

        assertEquals(List.of("modes.json: modes.json.results.c2c_fp16.p50Ms: missing"), report.problems());
        assertEquals(List.of("not measured", "not measured", "met", "not met", "not measured", "met"), verdicts(report));
    }

    @Test
    void aFilesOwnGoalVerdictWinsOverTheRecomputedOne() throws Exception {
        copyFixtures(dir);
        ObjectNode transport = (ObjectNode) ResultFile.JSON.readTree(dir.resolve("transport.json").toFile());
        transport.putArray("goals").addObject().put("goal", "one-hop fp16 transport >= 70% of iperf3")
                .put("measured", "measured by the bench: 65%").put("met", false);
        Files.writeString(dir.resolve("transport.json"), transport.toString());

        Goal goal = Report.compose(dir, "own goals").goals().get(2);

        assertEquals("not met", goal.verdict());
        assertTrue(goal.measured().startsWith("measured by the bench: 65%"), goal.measured());
    }

    @Test
    void offHeapThatGrowsWithContextFailsTheMemoryGoal() throws Exception {
        copyFixtures(dir);
        ObjectNode scaling = (ObjectNode) ResultFile.JSON.readTree(dir.resolve("scaling.json").toFile());
        ((ObjectNode) scaling.get("runs").get(4).get("peak_offheap_bytes")).put("receiver", 83886080);
        Files.writeString(dir.resolve("scaling.json"), scaling.toString());

        Goal goal = Report.compose(dir, "growing").goals().get(5);

        assertEquals("not met", goal.verdict());
        assertTrue(goal.measured().contains("receiver 20.0 -> 80.0 MiB (4.00 x)"), goal.measured());
    }

    @Test
    void withoutCodecResultsTheInt8GoalFallsBackToTheCodecPackagesDocumentedSpeeds() throws Exception {
        copyFixtures(dir);
        Files.delete(dir.resolve("codecs.json"));
        Path results = dir.resolve("bench/results");
        Files.createDirectories(results);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.move(f, results.resolve(f.getFileName()));
            }
        }
        Path packageInfo = dir.resolve(CodecPackageNotes.PATH);
        Files.createDirectories(packageInfo.getParent());
        Files.writeString(packageInfo, """
                /**
                 * codec                 [8, 256, 128] enc / dec     [2, 1024, 32] enc / dec    ratio
                 * fp16                  2.7-6.2 / 2.0-5.2           3.6-7.2 / 2.7-5.1          2.00
                 * int8 per_token        2.7-7.0 / 0.9-9.7           2.3-3.7 / 2.5-6.7          3.88 / 3.56
                 */
                package io.latentlink.core.codec;
                """);

        Goal goal = Report.compose(results, "fallback").goals().get(3);

        assertEquals("not met", goal.verdict(), goal.measured());
        assertTrue(goal.measured().contains("lowest: encode 2.3, decode 0.9 GB/s"), goal.measured());
        assertEquals(CodecPackageNotes.PATH, goal.source());
    }

    @Test
    void aStaleModesMdIsReplacedByTheSectionRebuiltFromModesJson() throws Exception {
        copyFixtures(dir);
        Files.writeString(dir.resolve("modes.md"), "# LatentLink modes benchmark\n\nGenerated ... on 2020-01-01T00:00:00Z.\nSTALE\n");

        String md = Report.compose(dir, "stale").markdown();

        assertFalse(md.contains("STALE"));
        assertTrue(md.contains("rebuilt from modes.json"), md);
        assertTrue(md.contains("| C2C int8 | int8 | 200 | 48.5% | 41.0 | 72.0 |"), md);
    }

    @Test
    void theSameResultsGiveTheSameReportAndTheSamePngBytes() throws Exception {
        copyFixtures(dir);
        Report first = Report.compose(dir, "same");
        List<byte[]> firstPngs = new ArrayList<>();
        for (Path p : first.plots()) {
            firstPngs.add(Files.readAllBytes(p));
        }
        Report second = Report.compose(dir, "same");

        assertEquals(first.markdown(), second.markdown());
        assertEquals(first.plots(), second.plots());
        for (int i = 0; i < first.plots().size(); i++) {
            assertArrayEquals(firstPngs.get(i), Files.readAllBytes(second.plots().get(i)), first.plots().get(i).toString());
        }
    }

    static void copyFixtures(Path target) throws IOException, URISyntaxException {
        Path fixtures = Path.of(ReportTest.class.getResource("/report/full/modes.json").toURI()).getParent();
        try (Stream<Path> files = Files.list(fixtures)) {
            for (Path f : files.toList()) {
                Files.copy(f, target.resolve(f.getFileName()));
            }
        }
    }

    private static List<String> verdicts(Report report) {
        return report.goals().stream().map(Goal::verdict).toList();
    }

    private static List<String> imageLinks(String md) {
        List<String> links = new ArrayList<>();
        Matcher m = Pattern.compile("!\\[[^]]*]\\(([^)]+)\\)").matcher(md);
        while (m.find()) {
            links.add(m.group(1));
        }
        return links;
    }
}
