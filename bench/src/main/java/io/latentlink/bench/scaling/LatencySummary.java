package io.latentlink.bench.scaling;

import java.util.Arrays;

/**
 * Percentiles of a set of latencies by nearest rank (the smallest sample with at least p% of the samples at or
 * below it, as the modes benchmark and core's eval compute them); NaN for an empty set.
 */
public record LatencySummary(int n, double p50, double p95, double p99, double mean, double max) {

    public static LatencySummary of(double[] samples) {
        double[] sorted = Arrays.stream(samples).filter(v -> !Double.isNaN(v)).sorted().toArray();
        return new LatencySummary(sorted.length, percentile(sorted, 50), percentile(sorted, 95), percentile(sorted, 99),
                sorted.length == 0 ? Double.NaN : Arrays.stream(sorted).average().orElseThrow(),
                sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1]);
    }

    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
