package io.latentlink.bench.scaling;

import io.latentlink.proto.v1.StatusReply;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Each node's Node.Status over one measured point: read after the point, its peaks are the point's high-water (a
 * reset_peak came before it); read from the reset replies, its current values are what the point started from.
 */
public record NodeMemory(Map<String, StatusReply> byNode) {

    public Map<String, Long> peaks(ToLongFunction<StatusReply> field) {
        Map<String, Long> m = new LinkedHashMap<>();
        byNode.forEach((node, s) -> m.put(node, field.applyAsLong(s)));
        return m;
    }

    public Map<String, Long> offHeap() {
        return peaks(StatusReply::getOffheapPeakBytes);
    }

    public Map<String, Long> heap() {
        return peaks(StatusReply::getHeapPeakBytes);
    }

    public Map<String, Long> kvCache() {
        return peaks(StatusReply::getKvCachePeakBytes);
    }

    public Map<String, Long> inflight() {
        return peaks(StatusReply::getPeakInflightBytes);
    }

    /** Off-heap held now (not the peak): read from a reset reply, what a point started from. */
    public Map<String, Long> offHeapNow() {
        return peaks(StatusReply::getOffheapUsedBytes);
    }

    public Map<String, Long> rss() {
        return peaks(StatusReply::getRssPeakBytes);
    }

    /** Per node, whether its RSS peak counts from the reset (else from process start: the kernel refused the reset). */
    public Map<String, Boolean> rssSinceReset() {
        Map<String, Boolean> m = new LinkedHashMap<>();
        byNode.forEach((node, s) -> m.put(node, s.getRssPeakSinceReset()));
        return m;
    }
}
