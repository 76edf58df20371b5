package io.latentlink.bench.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportMainTest {
    @TempDir
    Path dir;

    @Test
    void writesTheReportAndExitsZeroWhenEveryFileReads() throws Exception {
        ReportTest.copyFixtures(dir);
        assertEquals(0, ReportMain.run(new String[]{"--results", dir.toString()}));
        String md = Files.readString(dir.resolve("REPORT.md"));
        assertTrue(md.contains("- composed by: `java -cp bench/target/benchmarks.jar io.latentlink.bench.report.ReportMain --results "
                + dir + "`"), md);
        assertTrue(Files.size(dir.resolve("plots/modes-stages.png")) > 0);
    }

    @Test
    void exitsOneButStillWritesTheReportWhenAFileIsMalformed() throws Exception {
        ReportTest.copyFixtures(dir);
        Files.writeString(dir.resolve("scaling.json"), "[1, 2]");
        assertEquals(1, ReportMain.run(new String[]{"--results", dir.toString()}));
        assertTrue(Files.readString(dir.resolve("REPORT.md")).contains("scaling.json is malformed: the top level is not a JSON object")
                || Files.readString(dir.resolve("REPORT.md")).contains("`scaling.json` is malformed: the top level is not a JSON object"));
    }

    @Test
    void refusesUnknownArgumentsAndAMissingFolder() {
        assertEquals(2, ReportMain.run(new String[]{"--out", dir.toString()}));
        assertEquals(2, ReportMain.run(new String[]{"--results"}));
        assertEquals(2, ReportMain.run(new String[]{"--results", dir.resolve("nope").toString()}));
        assertEquals(0, ReportMain.run(new String[]{"--help"}));
    }
}
