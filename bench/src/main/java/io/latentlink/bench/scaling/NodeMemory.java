package io.latentlink.bench.scaling;

import io.latentlink.proto.v1.StatusReply;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToLongFunction;

/** The memory high-water of each node over one measured point, from Node.Status after a reset_peak before it. */
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
