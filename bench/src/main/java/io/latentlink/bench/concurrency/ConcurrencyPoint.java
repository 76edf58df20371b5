package io.latentlink.bench.concurrency;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentlink.bench.load.LoadRunner;
import io.latentlink.bench.scaling.NodeMemory;

import java.util.Map;

/**
 * One concurrency level in concurrency.json's "runs" shape: the load tool's closed-loop run (its HdrHistogram
 * latencies, µs resolution, 3 significant digits) and each node's memory high-water over it.
 *
 * @param seconds wall time from the first call started to the last one ended
 * @param errors  calls that did not end OK
 */
public record ConcurrencyPoint(int concurrency, String mode, String codec, long requests, double seconds,
                               double throughputRps, double p50Ms, double p95Ms, double p99Ms, double meanMs,
                               double maxMs, long errors, Map<String, Long> statusCodes, Map<String, Long> errorSamples,
                               NodeMemory memory, Map<String, Long> offHeapAtStart) {

    /**
     * @param atStart the reset replies before the run (their current values)
     * @param memory  Node.Status after the run (its peaks)
     */
    public static ConcurrencyPoint of(int concurrency, String mode, String codec, LoadRunner.Result run,
                                      NodeMemory atStart, NodeMemory memory) {
        ObjectNode s = run.stats().toJson(new ObjectMapper(), run.wallNanos());
        Map<String, Long> codes = run.stats().statusCodes();
        long count = s.get("count").asLong();
        long ok = codes.getOrDefault("OK", 0L);
        double seconds = run.wallNanos() / 1e9;
        ObjectNode latency = (ObjectNode) s.get("latency_ms");
        return new ConcurrencyPoint(concurrency, mode, codec, count, seconds, seconds <= 0 ? 0 : count / seconds,
                latency.get("p50").asDouble(), latency.get("p95").asDouble(), latency.get("p99").asDouble(),
                latency.get("mean").asDouble(), latency.get("max").asDouble(), count - ok, codes,
                run.stats().errorSamples(), memory, atStart.offHeapNow());
    }
}
