package io.latentlink.bench.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentlink.core.codec.CodecSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransportReportTest {

    private static TransportReport.Cell cell(String path, String codec, int tokens, long raw, long wire,
            Double... seconds) {
        return new TransportReport.Cell(path, new CodecSpec(codec, Map.of()), tokens, raw, wire, 10,
                List.of(seconds), List.of());
    }

    @Test
    void ratesAreBytesOverTheMedianSecondsInGigabytesOfTenToTheNine() {
        TransportReport.Cell c = cell("one-hop", "fp16", 1024, 4_000_000_000L, 2_000_000_000L, 4.0, 1.0, 2.0);
        assertEquals(2.0, c.secondsMedian());
        assertEquals(2.0, c.rawGbPerSecond(), 1e-12);
        assertEquals(1.0, c.wireGbPerSecond(), 1e-12);
        assertEquals(1.5, TransportReport.median(List.of(1.0, 2.0)));
        assertEquals(0.25, TransportReport.gbPerSecond(500_000_000L, 2.0), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> TransportReport.gbPerSecond(1, 0));
        assertThrows(IllegalArgumentException.class, () -> TransportReport.median(List.of()));
    }

    @Test
    void theGoalIsJudgedOnOneHopFp16AtTheLargestTokenCount() {
        List<TransportReport.Cell> cells = List.of(
                cell("one-hop", "fp16", 1024, 2_000_000_000L, 1_000_000_000L, 1.0),   // 1.0 GB/s wire
                cell("one-hop", "fp16", 4096, 8_000_000_000L, 4_000_000_000L, 2.0),   // 2.0 GB/s wire
                cell("two-hop", "fp16", 16384, 8_000_000_000L, 4_000_000_000L, 1.0),
                cell("one-hop", "fp32", 16384, 8_000_000_000L, 8_000_000_000L, 1.0));
        Map<String, Object> met = TransportReport.goal(cells, 2.5);
        assertEquals(true, met.get("met"), "2.0 / 2.5 = 80%");
        assertTrue(((String) met.get("measured")).contains("4096 tokens"), (String) met.get("measured"));
        assertEquals(false, TransportReport.goal(cells, 3.0).get("met"), "2.0 / 3.0 = 67%");
        assertNull(TransportReport.goal(cells, null).get("met"));
        assertNull(TransportReport.goal(cells.subList(2, 4), 2.0).get("met"));
    }

    @Test
    void writesTheSchemasFieldsPerRun(@TempDir Path dir) throws IOException {
        TransportReport.Cell c = new TransportReport.Cell("two-hop", new CodecSpec("int8", Map.of("scales",
                "per_channel")), 4096, 3_000_000_000L, 800_000_000L, 512, List.of(2.0, 1.0, 3.0),
                List.of(Map.of("total_s", 2.0)));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("name", "transport");
        root.put("runs", TransportReport.runsJson(List.of(c), 4.0));
        Path out = dir.resolve("sub/transport.json");
        TransportReport.write(out, root);
        JsonNode run = new ObjectMapper().readTree(out.toFile()).path("runs").get(0);
        assertEquals("two-hop", run.path("path").asText());
        assertEquals("int8", run.path("codec").asText());
        assertEquals("per_channel", run.path("codec_params").path("scales").asText());
        assertEquals(4096, run.path("tokens").asInt());
        assertEquals(3, run.path("repeats").asInt());
        assertEquals(3_000_000_000L, run.path("raw_bytes").asLong());
        assertEquals(800_000_000L, run.path("wire_bytes").asLong());
        assertEquals(2.0, run.path("seconds_median").asDouble());
        assertEquals(1.5, run.path("raw_gb_per_s").asDouble(), 1e-12);
        assertEquals(0.4, run.path("wire_gb_per_s").asDouble(), 1e-12);
        assertEquals(0.1, run.path("wire_vs_iperf3").asDouble(), 1e-12);
        assertTrue(TransportReport.table(List.of(c), 4.0).contains("int8:per_channel"));
    }

    @Test
    void parsesIperf3ClientJson() throws IOException {
        String json = """
                {"start": {}, "intervals": [],
                 "end": {"sum_sent": {"bits_per_second": 3.3e10},
                         "sum_received": {"bits_per_second": 3.2e10}}}""";
        assertEquals(4.0, Iperf3.parseGbPerSecond(json), 1e-12);
        assertThrows(IOException.class, () -> Iperf3.parseGbPerSecond(
                "{\"start\": {}, \"error\": \"unable to connect to server\"}"));
        assertThrows(IOException.class, () -> Iperf3.parseGbPerSecond("{\"end\": {}}"));
    }

    @Test
    void optionsParseCodecsAndRefuseNonsense() {
        TransportOptions o = TransportOptions.parse("--tokens", "1024,4096", "--codecs", "fp16,int8,int8:per_channel",
                "--repeats", "1", "--no-iperf3", "--out", "/tmp/x.json");
        assertEquals(List.of(1024, 4096), o.tokens());
        assertEquals(List.of(new CodecSpec("fp16", Map.of()), new CodecSpec("int8", Map.of("scales", "per_token")),
                new CodecSpec("int8", Map.of("scales", "per_channel"))), o.codecs());
        assertEquals(false, o.iperf3());
        assertEquals(List.of("one-hop", "two-hop"), o.paths());
        assertThrows(IllegalArgumentException.class, () -> TransportOptions.parse("--tokens", "0"));
        assertThrows(IllegalArgumentException.class, () -> TransportOptions.parse("--paths", "three-hop"));
        assertThrows(IllegalArgumentException.class, () -> TransportOptions.parse("--codecs", "fp16:x"));
        assertThrows(IllegalArgumentException.class, () -> TransportOptions.parse("--repeats"));
        assertThrows(IllegalArgumentException.class, () -> TransportOptions.parse("--frobnicate", "1"));
    }

    @Test
    void promptsHaveExactlyTheRequestedSyntheticTokens() {
        assertEquals(16384, TransportBench.prompt(16384).getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        assertEquals(TransportBench.prompt(100), TransportBench.prompt(100));
    }
}
