package io.latentlink.bench.modes;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModesBenchTest {

    @Test
    void settingsDefaultToSixtyQuestionsEveryCodecAndInProcess() {
        ModesBench.Settings s = ModesBench.Settings.parse("--repo", "/tmp/r");
        assertEquals(60, s.limit());
        assertEquals(List.of("fp32", "fp16", "int8"), s.codecs());
        assertTrue(s.inProcess());
        assertEquals(Path.of("/tmp/r/bench/results"), s.out());
        assertEquals(List.of("receiver_only", "text", "c2c_fp32", "c2c_fp16", "c2c_int8"),
                s.configs().stream().map(ModesBench.Config::key).toList());
    }

    @Test
    void settingsParseAndRefuse() {
        ModesBench.Settings s = ModesBench.Settings.parse("--limit", "0", "--codecs", "int8", "--no-inprocess", "--max-tokens", "8");
        assertEquals(0, s.limit());
        assertFalse(s.inProcess());
        assertEquals(8, s.maxTokens());
        assertEquals(List.of("receiver_only", "text", "c2c_int8"), s.configs().stream().map(ModesBench.Config::key).toList());
        assertThrows(IllegalArgumentException.class, () -> ModesBench.Settings.parse("--limit", "-1"));
        assertThrows(IllegalArgumentException.class, () -> ModesBench.Settings.parse("--max-tokens", "0"));
        assertThrows(IllegalArgumentException.class, () -> ModesBench.Settings.parse("--limit"));
        assertThrows(IllegalArgumentException.class, () -> ModesBench.Settings.parse("--bogus", "1"));
        assertThrows(IllegalArgumentException.class, () -> ModesBench.Settings.parse("--codecs", "fp16,"));
        assertThrows(IllegalArgumentException.class, () -> ModesBench.Settings.parse("--codecs", "fp16,int9"));
        assertEquals(List.of("receiver_only", "text", "c2c_int8", "c2c_int8z"),
                ModesBench.Settings.parse("--codecs", "int8,int8z", "--no-inprocess").configs().stream()
                        .map(ModesBench.Config::key).toList());
    }

    @Test
    void theReportShowsEveryModeAndEveryVerdict() {
        ModeSummary text = new ModeSummary("text", "TEXT", "TEXT", "-", 2, 1, 0, 0.5, 300, 400, 320, 250, 390, 0, 0,
                Map.of("transfer", 200.0));
        ModeSummary c2c = new ModeSummary("c2c_fp16", "C2C fp16", "C2C", "fp16", 2, 1, 0, 0.5, 100, 120, 110, Double.NaN,
                Double.NaN, 4096, 8192, Map.of("fuse", 20.0));
        List<Goals.Goal> goals = Goals.evaluate(Map.of("text", text, "c2c_fp16", c2c));
        String md = ModesReport.markdown(Map.of("cores", 2, "cpu", "X", "java", "J", "load_average", "1 1 1", "uname", "L"),
                "abc", "today", "ModesBench --limit 2", Map.of("questions", 2), List.of(text, c2c), goals, "models note");
        assertTrue(md.contains("| C2C fp16 | fp16 | 2 | 50.0% | 100.0 | 120.0 | - | - | 4096 | 8192 | 0 |"), md);
        assertTrue(md.contains("**met**"), md);
        assertTrue(md.contains("**not measured**"), md);
        assertTrue(md.contains("transfer 200.0"), md);
        assertTrue(md.contains("models note"), md);
    }
}
