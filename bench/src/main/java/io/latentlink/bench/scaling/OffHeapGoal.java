package io.latentlink.bench.scaling;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Verdicts on "memory stays bounded": a high-water under a fixed credit window must not grow with context length.
 * Growth is the longest point's peak over the shortest point's, per node, for one configuration; it is met when
 * every node stays within {@link #TOLERANCE} of its shortest-context value (run-to-run noise of pooled buffers).
 */
public final class OffHeapGoal {
    static final double TOLERANCE = 0.10;

    private OffHeapGoal() {
    }

    /** One point's peaks per node, as read. */
    public record Point(int sharerTokens, Map<String, Long> peaks) {
    }

    public record Verdict(String goal, String measured, Boolean met, Map<String, Object> detail) {
    }

    /**
     * @param what   the quantity, e.g. "off-heap high-water (direct + mapped NIO buffers)"
     * @param points the configuration's points from the shortest to the longest context
     */
    public static Verdict evaluate(String goal, String what, List<Point> points) {
        if (points.size() < 2) {
            return new Verdict(goal, "not measured: needs at least two context lengths", null, Map.of());
        }
        Point first = points.get(0);
        Point last = points.get(points.size() - 1);
        StringBuilder measured = new StringBuilder(what + ", " + first.sharerTokens() + " -> " + last.sharerTokens()
                + " sharer tokens:");
        Map<String, Object> detail = new LinkedHashMap<>();
        boolean met = true;
        for (Map.Entry<String, Long> e : first.peaks().entrySet()) {
            String node = e.getKey();
            long from = e.getValue();
            long to = last.peaks().getOrDefault(node, 0L);
            double growth = from == 0 ? (to == 0 ? 0 : Double.POSITIVE_INFINITY) : (double) (to - from) / from;
            met &= growth <= TOLERANCE;
            measured.append(String.format(" %s %,d -> %,d B (%+.1f%%);", node, from, to, 100 * growth));
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("shortest_bytes", from);
            row.put("longest_bytes", to);
            row.put("growth", Double.isInfinite(growth) ? "infinite" : growth);
            detail.put(node, row);
        }
        measured.setLength(measured.length() - 1);
        measured.append(String.format("; met when every node grows by <= %.0f%%", 100 * TOLERANCE));
        return new Verdict(goal, measured.toString(), met, detail);
    }
}
