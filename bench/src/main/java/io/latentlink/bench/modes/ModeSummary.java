package io.latentlink.bench.modes;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One configuration's results over the questions: accuracy, latency and first-token percentiles (nearest rank, as
 * core's {@code ModeResult}), bytes per request and the mean of each stage.
 *
 * @param key   short name used in modes.json, e.g. {@code c2c_int8}
 * @param label what the report calls it, e.g. {@code C2C int8}
 * @param codec the KV codec, or "-" where no KV travels
 */
public record ModeSummary(String key, String label, String mode, String codec, int n, int correct, int errors,
                          double accuracy, double p50Ms, double p95Ms, double meanMs, double firstTokenP50Ms,
                          double firstTokenP95Ms, double wireBytesPerRequest, double rawBytesPerRequest,
                          Map<String, Double> meanStagesMs) {

    public static ModeSummary of(String key, String label, String mode, String codec, List<ModeSample> samples) {
        int n = samples.size();
        int correct = (int) samples.stream().filter(ModeSample::correct).count();
        int errors = (int) samples.stream().filter(s -> s.error() != null).count();
        double[] latency = samples.stream().mapToDouble(ModeSample::latencyMs).sorted().toArray();
        double[] firstToken = samples.stream().mapToDouble(ModeSample::firstTokenMs).filter(v -> !Double.isNaN(v)).sorted().toArray();
        Map<String, Double> stages = new LinkedHashMap<>();
        for (ModeSample s : samples) {
            s.stagesMs().forEach((stage, ms) -> stages.merge(stage, ms, Double::sum));
        }
        stages.replaceAll((stage, sum) -> n == 0 ? 0 : sum / n);
        return new ModeSummary(key, label, mode, codec, n, correct, errors, n == 0 ? 0 : (double) correct / n,
                percentile(latency, 50), percentile(latency, 95), Arrays.stream(latency).average().orElse(0),
                percentile(firstToken, 50), percentile(firstToken, 95),
                samples.stream().mapToLong(ModeSample::wireBytes).average().orElse(0),
                samples.stream().mapToLong(ModeSample::rawBytes).average().orElse(0), stages);
    }

    /** Nearest rank: the smallest sample with at least p% of the samples at or below it; NaN when there are none. */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
