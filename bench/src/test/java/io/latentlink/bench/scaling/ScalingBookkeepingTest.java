package io.latentlink.bench.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentlink.core.eval.LinkQaItem;
import io.latentlink.proto.v1.Mode;
import io.latentlink.proto.v1.StatusReply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScalingBookkeepingTest {

    static NodeMemory memory(long sender, long projector, long receiver) {
        Map<String, StatusReply> m = new LinkedHashMap<>();
        m.put("sender", StatusReply.newBuilder().setOffheapPeakBytes(sender).setHeapPeakBytes(sender * 10)
                .setKvCachePeakBytes(sender / 2).setPeakInflightBytes(7).setRssPeakBytes(1 << 20).setRssPeakSinceReset(true).build());
        m.put("projector", StatusReply.newBuilder().setOffheapPeakBytes(projector).setHeapPeakBytes(projector * 10)
                .setOffheapUsedBytes(projector * 3 + 3).build());
        m.put("receiver", StatusReply.newBuilder().setOffheapPeakBytes(receiver).setHeapPeakBytes(receiver * 10).build());
        return new NodeMemory(m);
    }

    private static LongContextPrompts.Prompt prompt(int n, int sharerTokens) {
        LinkQaItem item = LongContextPromptsTest.item(n, "script", "x.", "P" + n);
        return new LongContextPrompts.Prompt(item, "y".repeat(sharerTokens - 1), 2 + n, sharerTokens);
    }

    @Test
    void aPointSummarisesItsRequestsWithMediansAndCountsErrorsAndAnswers() {
        List<LongContextPrompts.Prompt> prompts = List.of(prompt(0, 300), prompt(1, 310), prompt(2, 305));
        List<GenerateClient.Result> results = List.of(
                new GenerateClient.Result(100, 90, 200, 1_000, 2_000, "City0", null),
                new GenerateClient.Result(300, 280, 210, 1_100, 2_200, "Nowhere", null),
                new GenerateClient.Result(50, Double.NaN, 0, 0, 0, "", "UNAVAILABLE: gone"));
        ScalingPoint p = ScalingPoint.of("C2C", "fp16", 320, prompts, results, memory(1, 2, 3), memory(1, 2, 3));
        assertEquals(3, p.n());
        assertEquals(1, p.errors());
        assertEquals(1, p.correct());
        assertEquals(List.of("UNAVAILABLE: gone"), p.errorSamples());
        assertEquals(100, p.p50Ms(), "nearest rank over all three calls, the failed one included");
        assertEquals(300, p.p95Ms());
        assertEquals(90, p.firstTokenP50Ms(), "nearest rank over the successful calls' first tokens");
        assertEquals(205, p.contextTokens());
        assertEquals(305, p.sharerTokens());
        assertEquals(1_050, p.wireBytes());
        assertEquals(2_100, p.rawBytes());
        assertEquals(3, p.passages());
        assertThrows(IllegalArgumentException.class,
                () -> ScalingPoint.of("C2C", "fp16", 320, prompts.subList(0, 2), results, memory(1, 2, 3), memory(1, 2, 3)));
    }

    @Test
    void theJsonRowHasTheAgreedFields() {
        ScalingPoint p = ScalingPoint.of("TEXT", null, 160, List.of(prompt(0, 150)),
                List.of(new GenerateClient.Result(80, 70, 20, 200, 180, "x", null)), memory(1, 2, 3), memory(100, 200, 300));
        JsonNode o = ScalingBench.toJson(p);
        for (String field : List.of("mode", "codec", "context_tokens", "sharer_tokens", "prompt_chars", "n", "p50_ms",
                "p95_ms", "first_token_p50_ms", "wire_bytes", "raw_bytes", "peak_offheap_bytes", "peak_heap_bytes", "errors")) {
            assertTrue(o.has(field), field + " missing in " + o);
        }
        assertTrue(o.get("codec").isNull());
        assertEquals(200, o.get("wire_bytes").asLong());
        assertEquals(300, o.get("peak_offheap_bytes").get("receiver").asLong());
        assertEquals(1000, o.get("peak_heap_bytes").get("sender").asLong());
        assertEquals(9, o.get("offheap_at_start_bytes").get("projector").asLong(), "the reset reply's current value");
        assertEquals(List.of("sender", "projector", "receiver"), iterate(o.get("peak_offheap_bytes")));
        assertTrue(o.get("rss_peak_since_reset").get("sender").asBoolean());
        assertTrue(ScalingBench.table(List.of(p)).contains("TEXT"), ScalingBench.table(List.of(p)));
    }

    private static List<String> iterate(JsonNode o) {
        List<String> names = new java.util.ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void theOffHeapGoalIsMetOnlyWhenNoNodeGrowsBeyondTheTolerance() {
        OffHeapGoal.Verdict flat = OffHeapGoal.evaluate("g", "what", List.of(
                new OffHeapGoal.Point(150, Map.of("sender", 1_000L, "receiver", 2_000L)),
                new OffHeapGoal.Point(300, Map.of("sender", 5_000L, "receiver", 2_000L)),
                new OffHeapGoal.Point(500, Map.of("sender", 1_090L, "receiver", 1_900L))));
        assertEquals(Boolean.TRUE, flat.met(), flat.measured());
        assertTrue(flat.measured().contains("150 -> 500 sharer tokens"), flat.measured());
        OffHeapGoal.Verdict grows = OffHeapGoal.evaluate("g", "what", List.of(
                new OffHeapGoal.Point(150, Map.of("sender", 1_000L)), new OffHeapGoal.Point(500, Map.of("sender", 1_200L))));
        assertEquals(Boolean.FALSE, grows.met());
        assertTrue(grows.measured().contains("+20.0%"), grows.measured());
        OffHeapGoal.Verdict fromZero = OffHeapGoal.evaluate("g", "what", List.of(
                new OffHeapGoal.Point(150, Map.of("sender", 0L)), new OffHeapGoal.Point(500, Map.of("sender", 1L))));
        assertEquals(Boolean.FALSE, fromZero.met());
        assertNull(OffHeapGoal.evaluate("g", "what", List.of(new OffHeapGoal.Point(150, Map.of()))).met());
    }

    @Test
    void settingsDefaultsAndRefusals() {
        ScalingBench.Settings s = ScalingBench.Settings.parse("--repo", "/tmp/r");
        assertEquals(List.of(160, 256, 352, 440, 512), s.lengths());
        assertEquals(List.of("RECEIVER_ONLY", "TEXT", "C2C fp16", "C2C int8"),
                s.configs().stream().map(ScalingBench.Config::label).toList());
        assertEquals(2, s.creditWindow());
        assertEquals(Path.of("/tmp/r/bench/results"), s.out());
        ScalingBench.Settings t = ScalingBench.Settings.parse("--modes", "C2C", "--codecs", "fp16", "--lengths", "200,300");
        assertEquals(List.of(new ScalingBench.Config(Mode.C2C, "fp16")), t.configs());
        assertThrows(IllegalArgumentException.class, () -> ScalingBench.Settings.parse("--lengths", "300,200"));
        assertThrows(IllegalArgumentException.class, () -> ScalingBench.Settings.parse("--lengths", "200,200"));
        assertThrows(IllegalArgumentException.class, () -> ScalingBench.Settings.parse("--modes", "SHARER_ONLY"));
        assertThrows(IllegalArgumentException.class, () -> ScalingBench.Settings.parse("--modes", "MODE_UNSPECIFIED"));
        assertThrows(IllegalArgumentException.class, () -> ScalingBench.Settings.parse("--requests", "0"));
        assertThrows(IllegalArgumentException.class, () -> ScalingBench.Settings.parse("--codecs", "fp16,"));
        assertThrows(IllegalArgumentException.class, () -> ScalingBench.Settings.parse("--requests"));
        assertThrows(IllegalArgumentException.class, () -> ScalingBench.Settings.parse("--bogus", "1"));
    }

    @Test
    void textStopsWhereTheRelayNoLongerFitsTheSharersContext() {
        assertEquals(512 - 2 - 64, ScalingBench.textLimit(512));
        assertEquals(440, ScalingBench.lastAtMost(List.of(160, 256, 352, 440, 512), 446));
        assertEquals(0, ScalingBench.lastAtMost(List.of(500), 446));
    }

    @Test
    void contextLengthAndMachineFieldsAreRead(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("genai_config.json");
        Files.writeString(cfg, "{\"model\": {\"context_length\": 512}}");
        assertEquals(512, ScalingBench.contextLength(cfg));
        Files.writeString(cfg, "{\"model\": {}}");
        assertThrows(IllegalStateException.class, () -> ScalingBench.contextLength(cfg));
        Path meminfo = dir.resolve("meminfo");
        Files.writeString(meminfo, "MemFree: 1 kB\nMemTotal:       25165824 kB\n");
        assertEquals("24.0 GiB", ResultsHeader.memTotal(meminfo));
        assertEquals("unknown", ResultsHeader.memTotal(dir.resolve("none")));
        JsonNode header = ResultsHeader.of(new ObjectMapper(), "scaling", "2026-01-01T00:00:00Z", dir, "m", "cmd",
                Map.of("n", 1));
        for (String field : List.of("name", "date", "commit", "machine", "command", "settings")) {
            assertTrue(header.has(field), field);
        }
        assertFalse(header.get("commit").asText().isEmpty());
    }
}
