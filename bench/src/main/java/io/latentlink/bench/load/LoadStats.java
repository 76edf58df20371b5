package io.latentlink.bench.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Status;
import org.HdrHistogram.Histogram;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a load run observed: every call's latency (HdrHistogram, microseconds, 3 significant digits), time to the
 * first response message of streaming calls, status codes, and a bounded sample of error messages. Thread-safe; calls
 * take milliseconds, so one lock per recorded call costs nothing measurable.
 */
public final class LoadStats {
    /** Distinct error messages kept; the rest are counted under {@link #OTHER_ERRORS}. */
    public static final int MAX_ERROR_SAMPLES = 20;
    static final String OTHER_ERRORS = "(other errors)";
    static final int HISTOGRAM_BUCKETS = 10;
    private static final double[] PERCENTILES = {10, 25, 50, 75, 90, 95, 99};

    private final Histogram latency = new Histogram(3);
    private final Histogram firstMessage = new Histogram(3);
    private final Map<String, Long> statusCodes = new TreeMap<>();
    private final Map<String, Long> errors = new TreeMap<>();
    private long messages;

    /**
     * @param latencyNanos      call start to its end (last message or error)
     * @param firstMessageNanos call start to the first response message, or a negative value if none came
     * @param messages          response messages received
     * @param status            how the call ended
     */
    public synchronized void record(long latencyNanos, long firstMessageNanos, long messages, Status status) {
        latency.recordValue(Math.max(1, latencyNanos / 1_000));
        if (firstMessageNanos >= 0) {
            firstMessage.recordValue(Math.max(1, firstMessageNanos / 1_000));
        }
        this.messages += messages;
        statusCodes.merge(status.getCode().name(), 1L, Long::sum);
        if (!status.isOk()) {
            String key = status.getCode().name() + ": " + (status.getDescription() == null ? "" : status.getDescription());
            if (errors.containsKey(key) || errors.size() < MAX_ERROR_SAMPLES) {
                errors.merge(key, 1L, Long::sum);
            } else {
                errors.merge(OTHER_ERRORS, 1L, Long::sum);
            }
        }
    }

    public synchronized long count() {
        return latency.getTotalCount();
    }

    public synchronized Map<String, Long> statusCodes() {
        return new TreeMap<>(statusCodes);
    }

    public synchronized Map<String, Long> errorSamples() {
        return new TreeMap<>(errors);
    }

    /** The JSON summary; {@code wallNanos} is the run's wall time (for requests per second). */
    public synchronized ObjectNode toJson(ObjectMapper json, long wallNanos) {
        ObjectNode root = json.createObjectNode();
        long count = latency.getTotalCount();
        root.put("count", count);
        root.put("total_ms", round(wallNanos / 1e6));
        root.put("rps", round(wallNanos <= 0 ? 0 : count / (wallNanos / 1e9)));
        root.set("latency_ms", summary(json, latency));
        if (firstMessage.getTotalCount() > 0) {
            root.set("first_message_ms", summary(json, firstMessage));
        }
        root.put("messages_per_call", round(count == 0 ? 0 : (double) messages / count));
        ArrayNode distribution = root.putArray("latency_distribution");
        for (double p : PERCENTILES) {
            distribution.addObject().put("percentage", p).put("latency_ms", count == 0 ? 0 : ms(latency.getValueAtPercentile(p)));
        }
        ArrayNode histogram = root.putArray("histogram");
        for (Bucket b : buckets()) {
            histogram.addObject().put("mark_ms", round(b.markMs())).put("count", b.count()).put("frequency", round(b.frequency()));
        }
        ObjectNode codes = root.putObject("status_codes");
        statusCodes.forEach(codes::put);
        ObjectNode samples = root.putObject("error_samples");
        errors.forEach(samples::put);
        return root;
    }

    /** One bar of the response-time histogram: calls with latency up to {@code markMs} (and above the previous mark). */
    public record Bucket(double markMs, long count, double frequency) {
    }

    /**
     * ghz's histogram: marks at {@value #HISTOGRAM_BUCKETS} equal steps from the fastest to the slowest call, each
     * call counted at the first mark at or above its latency (equal marks, when every call took the same time, merge).
     */
    public synchronized java.util.List<Bucket> buckets() {
        long count = latency.getTotalCount();
        if (count == 0) {
            return java.util.List.of();
        }
        long min = latency.getMinValue();
        long max = latency.getMaxValue();
        double width = (max - min) / (double) HISTOGRAM_BUCKETS;
        long[] marks = new long[HISTOGRAM_BUCKETS + 1];
        for (int i = 0; i <= HISTOGRAM_BUCKETS; i++) {
            marks[i] = i == HISTOGRAM_BUCKETS ? max : min + Math.round(i * width);
        }
        long[] counts = new long[marks.length];
        for (org.HdrHistogram.HistogramIterationValue v : latency.recordedValues()) {
            // The bucket's lowest value, the same end getMinValue() reports, so the fastest call lands on the first mark.
            long value = latency.lowestEquivalentValue(v.getValueIteratedTo());
            int i = 0;
            while (i < marks.length - 1 && marks[i] < value) {
                i++;
            }
            counts[i] += v.getCountAtValueIteratedTo();
        }
        java.util.List<Bucket> out = new java.util.ArrayList<>();
        for (int i = 0; i < marks.length; i++) {
            if (i + 1 < marks.length && marks[i + 1] == marks[i]) {
                counts[i + 1] += counts[i];
                continue;
            }
            out.add(new Bucket(ms(marks[i]), counts[i], (double) counts[i] / count));
        }
        return out;
    }

    /** ghz-style text report. */
    public synchronized String toText(long wallNanos) {
        StringBuilder s = new StringBuilder();
        long count = latency.getTotalCount();
        s.append("\nSummary:\n");
        s.append(String.format(Locale.ROOT, "  Count:\t%d%n", count));
        s.append(String.format(Locale.ROOT, "  Total:\t%.2f ms%n", wallNanos / 1e6));
        if (count > 0) {
            s.append(String.format(Locale.ROOT, "  Slowest:\t%.2f ms%n", ms(latency.getMaxValue())));
            s.append(String.format(Locale.ROOT, "  Fastest:\t%.2f ms%n", ms(latency.getMinValue())));
            s.append(String.format(Locale.ROOT, "  Average:\t%.2f ms%n", latency.getMean() / 1e3));
        }
        s.append(String.format(Locale.ROOT, "  Requests/sec:\t%.2f%n", wallNanos <= 0 ? 0 : count / (wallNanos / 1e9)));
        if (firstMessage.getTotalCount() > 0) {
            s.append(String.format(Locale.ROOT, "  First message:\tp50 %.2f ms, p95 %.2f ms%n",
                    ms(firstMessage.getValueAtPercentile(50)), ms(firstMessage.getValueAtPercentile(95))));
        }
        java.util.List<Bucket> buckets = buckets();
        if (!buckets.isEmpty()) {
            s.append("\nResponse time histogram:\n");
            long most = buckets.stream().mapToLong(Bucket::count).max().orElse(1);
            for (Bucket b : buckets) {
                int bar = most == 0 ? 0 : (int) Math.round(40.0 * b.count() / most);
                s.append(String.format(Locale.ROOT, "  %10.3f [%d]\t|%s%n", b.markMs(), b.count(), "∎".repeat(bar)));
            }
            s.append("\nLatency distribution:\n");
            for (double p : PERCENTILES) {
                s.append(String.format(Locale.ROOT, "  %.0f %% in %.2f ms%n", p, ms(latency.getValueAtPercentile(p))));
            }
        }
        s.append("\nStatus code distribution:\n");
        statusCodes.forEach((code, n) -> s.append(String.format(Locale.ROOT, "  [%s]\t%d responses%n", code, n)));
        if (!errors.isEmpty()) {
            s.append("\nError distribution:\n");
            errors.forEach((msg, n) -> s.append(String.format(Locale.ROOT, "  [%d]\t%s%n", n, msg)));
        }
        return s.toString();
    }

    private static ObjectNode summary(ObjectMapper json, Histogram h) {
        ObjectNode o = json.createObjectNode();
        boolean empty = h.getTotalCount() == 0;
        o.put("min", empty ? 0 : ms(h.getMinValue()));
        o.put("mean", empty ? 0 : round(h.getMean() / 1e3));
        for (int p : new int[] {50, 90, 95, 99}) {
            o.put("p" + p, empty ? 0 : ms(h.getValueAtPercentile(p)));
        }
        o.put("max", empty ? 0 : ms(h.getMaxValue()));
        return o;
    }

    private static double ms(long micros) {
        return round(micros / 1e3);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
