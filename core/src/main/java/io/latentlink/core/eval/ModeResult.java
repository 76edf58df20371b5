package io.latentlink.core.eval;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Arrays;

/** Accuracy and latency of one mode over one split, in the JSON shape the eval command writes. */
public record ModeResult(double accuracy, int n, @JsonProperty("p50_ms") double p50Ms, @JsonProperty("p95_ms") double p95Ms) {

    /** Builds a result from per-question correctness and end-to-end latencies in milliseconds. */
    public static ModeResult of(int correct, double[] latenciesMs) {
        int n = latenciesMs.length;
        if (correct < 0 || correct > n) {
            throw new IllegalArgumentException(correct + " correct out of " + n);
        }
        double[] sorted = latenciesMs.clone();
        Arrays.sort(sorted);
        return new ModeResult(n == 0 ? 0 : (double) correct / n, n, percentile(sorted, 50), percentile(sorted, 95));
    }

    /** Nearest-rank percentile: the smallest value with at least p% of the samples at or below it. */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
