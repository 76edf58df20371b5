package io.latentlink.bench.concurrency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Status;
import io.latentlink.bench.load.LoadRunner;
import io.latentlink.bench.load.LoadStats;
import io.latentlink.bench.scaling.NodeMemory;
import io.latentlink.proto.v1.Mode;
import io.latentlink.proto.v1.StatusReply;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConcurrencyBookkeepingTest {

    private static NodeMemory memory() {
        Map<String, StatusReply> m = new LinkedHashMap<>();
        m.put("sender", StatusReply.newBuilder().setHeapPeakBytes(3L << 20).setOffheapPeakBytes(1L << 20)
                .setOffheapUsedBytes(7).build());
        m.put("projector", StatusReply.newBuilder().setHeapPeakBytes(4L << 20).setOffheapPeakBytes(2L << 20).build());
        m.put("receiver", StatusReply.newBuilder().setHeapPeakBytes(5L << 20).setOffheapPeakBytes(3L << 20).build());
        return new NodeMemory(m);
    }

    @Test
    void aLevelReportsThroughputPercentilesAndErrors() {
        LoadStats stats = new LoadStats();
        for (int ms = 1; ms <= 100; ms++) {
            stats.record(ms * 1_000_000L, ms * 500_000L, 3, ms == 100 ? Status.DEADLINE_EXCEEDED : Status.OK);
        }
        ConcurrencyPoint p = ConcurrencyPoint.of(8, "C2C", "fp16", new LoadRunner.Result(stats, 20_000_000_000L),
                memory(), memory());
        assertEquals(100, p.requests());
        assertEquals(20.0, p.seconds(), 1e-9);
        assertEquals(5.0, p.throughputRps(), 1e-9);
        assertEquals(50.0, p.p50Ms(), 0.1);
        assertEquals(95.0, p.p95Ms(), 0.1);
        assertEquals(99.0, p.p99Ms(), 0.1);
        assertEquals(100.0, p.maxMs(), 0.1);
        assertEquals(1, p.errors());
        assertEquals(99L, p.statusCodes().get("OK"));

        JsonNode o = ConcurrencyBench.toJson(p);
        for (String field : List.of("concurrency", "mode", "codec", "requests", "seconds", "throughput_rps", "p50_ms",
                "p95_ms", "p99_ms", "errors", "peak_heap_bytes", "peak_offheap_bytes")) {
            assertTrue(o.has(field), field + " missing in " + o);
        }
        assertEquals(5L << 20, o.get("peak_heap_bytes").get("receiver").asLong());
        assertEquals(1L << 20, o.get("peak_offheap_bytes").get("sender").asLong());
        assertEquals(7, o.get("offheap_at_start_bytes").get("sender").asLong());
        String table = ConcurrencyBench.table(List.of(p));
        assertTrue(table.contains("3.0/4.0/5.0"), table);
    }

    @Test
    void requestsPerLevelLetEveryWorkerCallSeveralTimes() {
        ConcurrencyBench.Settings s = ConcurrencyBench.Settings.parse("--repo", "/tmp/r");
        assertEquals(List.of(1, 2, 4, 8, 16, 32), s.levels());
        assertEquals(List.of(32L, 32L, 32L, 32L, 64L, 128L), s.levels().stream().map(s::requests).toList());
        assertEquals(Mode.C2C, s.mode());
        assertEquals("fp16", s.codec());
        ConcurrencyBench.Settings t = ConcurrencyBench.Settings.parse("--levels", "3", "--per-worker", "5",
                "--min-requests", "0", "--mode", "RECEIVER_ONLY");
        assertEquals(15, t.requests(3));
        assertEquals("", t.codec(), "no codec where no KV travels");
        assertThrows(IllegalArgumentException.class, () -> ConcurrencyBench.Settings.parse("--levels", "0"));
        assertThrows(IllegalArgumentException.class, () -> ConcurrencyBench.Settings.parse("--levels", "1,,2"));
        assertThrows(IllegalArgumentException.class,
                () -> ConcurrencyBench.Settings.parse("--per-worker", "0", "--min-requests", "0"));
        assertThrows(IllegalArgumentException.class, () -> ConcurrencyBench.Settings.parse("--mode", "FAST"));
        assertThrows(IllegalArgumentException.class, () -> ConcurrencyBench.Settings.parse("--bogus", "1"));
    }
}
