package io.latentlink.bench.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoadStatsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void summarisesLatenciesStatusesAndErrors() {
        LoadStats stats = new LoadStats();
        for (int ms = 1; ms <= 100; ms++) {
            stats.record(ms * 1_000_000L, ms * 100_000L, 5, Status.OK);
        }
        stats.record(200_000_000L, -1, 0, Status.UNAVAILABLE.withDescription("peer gone"));
        stats.record(300_000_000L, -1, 0, Status.UNAVAILABLE.withDescription("peer gone"));

        ObjectNode json = stats.toJson(JSON, 2_000_000_000L);
        assertEquals(102, json.get("count").asLong());
        assertEquals(51.0, json.get("rps").asDouble(), 1e-9);
        assertEquals(2000.0, json.get("total_ms").asDouble(), 1e-9);
        ObjectNode latency = (ObjectNode) json.get("latency_ms");
        assertEquals(1.0, latency.get("min").asDouble(), 0.01);
        assertEquals(51.0, latency.get("p50").asDouble(), 0.1);
        assertEquals(92.0, latency.get("p90").asDouble(), 0.1);
        assertEquals(300.0, latency.get("max").asDouble(), 0.5);
        assertEquals((5050 + 500) / 102.0, latency.get("mean").asDouble(), 0.1);
        assertEquals(5.0, json.get("first_message_ms").get("p50").asDouble(), 0.01);
        assertEquals(500 / 102.0, json.get("messages_per_call").asDouble(), 0.001);
        assertEquals(100, json.get("status_codes").get("OK").asLong());
        assertEquals(2, json.get("status_codes").get("UNAVAILABLE").asLong());
        assertEquals(2, json.get("error_samples").get("UNAVAILABLE: peer gone").asLong());
        assertTrue(stats.toText(2_000_000_000L).contains("[UNAVAILABLE]\t2 responses"));
    }

    @Test
    void histogramBucketsHoldEveryCallOnce() {
        LoadStats stats = new LoadStats();
        for (int i = 0; i < 1000; i++) {
            stats.record((1 + (i * 7919L) % 500) * 1_000_000L, -1, 1, Status.OK);
        }
        List<LoadStats.Bucket> buckets = stats.buckets();
        assertEquals(LoadStats.HISTOGRAM_BUCKETS + 1, buckets.size());
        assertEquals(1000, buckets.stream().mapToLong(LoadStats.Bucket::count).sum());
        assertEquals(1.0, buckets.stream().mapToDouble(LoadStats.Bucket::frequency).sum(), 1e-9);
        assertEquals(2, buckets.get(0).count(), "only the fastest calls (1 ms, twice) sit at the first mark");
        for (int i = 1; i < buckets.size(); i++) {
            assertTrue(buckets.get(i).markMs() > buckets.get(i - 1).markMs());
        }
        assertFalse(stats.toJson(JSON, 1).has("first_message_ms"), "no call had a first message");
    }

    @Test
    void identicalLatenciesMakeOneBucket() {
        LoadStats stats = new LoadStats();
        // 1 ms is exact in the histogram (below 2048 us every microsecond has its own bucket)
        stats.record(1_000_000L, -1, 1, Status.OK);
        stats.record(1_000_000L, -1, 1, Status.OK);
        List<LoadStats.Bucket> buckets = stats.buckets();
        assertEquals(1, buckets.size());
        assertEquals(2, buckets.get(0).count());
    }

    @Test
    void errorSamplesAreBounded() {
        LoadStats stats = new LoadStats();
        for (int i = 0; i < LoadStats.MAX_ERROR_SAMPLES + 5; i++) {
            stats.record(1_000_000L, -1, 0, Status.INTERNAL.withDescription("failure " + i));
        }
        assertEquals(LoadStats.MAX_ERROR_SAMPLES + 1, stats.errorSamples().size());
        assertEquals(5, stats.errorSamples().get(LoadStats.OTHER_ERRORS));
        assertEquals(LoadStats.MAX_ERROR_SAMPLES + 5, stats.statusCodes().get("INTERNAL"));
    }

    @Test
    void anEmptyRunStillSummarises() {
        ObjectNode json = new LoadStats().toJson(JSON, 0);
        assertEquals(0, json.get("count").asLong());
        assertEquals(0, json.get("rps").asDouble());
        assertTrue(json.get("histogram").isEmpty());
    }
}
