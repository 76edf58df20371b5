package io.latentlink.bench.scaling;

import java.util.List;
import java.util.Map;

/**
 * One (mode, codec, context length) point of the scaling benchmark, in scaling.json's "runs" shape. Token and byte
 * counts per request are medians over the point's prompts (they differ a little: passages are whole), bytes rounded
 * to whole bytes.
 */
public record ScalingPoint(String mode, String codec, int sharerTokensBudget, int contextTokens, int sharerTokens,
                           int promptChars, int passages, int n, double p50Ms, double p95Ms, double meanMs,
                           double firstTokenP50Ms, long wireBytes, long rawBytes, int correct, int errors,
                           List<String> errorSamples, NodeMemory memory, Map<String, Long> offHeapAtStart) {

    public static ScalingPoint of(String mode, String codec, int budget, List<LongContextPrompts.Prompt> prompts,
                                  List<GenerateClient.Result> results, NodeMemory atStart, NodeMemory memory) {
        if (prompts.size() != results.size()) {
            throw new IllegalArgumentException(prompts.size() + " prompts but " + results.size() + " results");
        }
        List<GenerateClient.Result> ok = results.stream().filter(r -> r.error() == null).toList();
        LatencySummary latency = LatencySummary.of(results.stream().mapToDouble(GenerateClient.Result::latencyMs).toArray());
        LatencySummary first = LatencySummary.of(ok.stream().mapToDouble(GenerateClient.Result::firstTokenMs).toArray());
        int correct = 0;
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i).error() == null && prompts.get(i).item().isCorrect(results.get(i).text())) {
                correct++;
            }
        }
        return new ScalingPoint(mode, codec, budget,
                (int) median(ok.stream().mapToDouble(GenerateClient.Result::promptTokens).toArray()),
                (int) median(prompts.stream().mapToDouble(LongContextPrompts.Prompt::sharerTokens).toArray()),
                (int) median(prompts.stream().mapToDouble(p -> p.text().length()).toArray()),
                (int) median(prompts.stream().mapToDouble(LongContextPrompts.Prompt::passages).toArray()),
                results.size(), latency.p50(), latency.p95(), latency.mean(), first.p50(),
                Math.round(median(ok.stream().mapToDouble(GenerateClient.Result::wireBytes).toArray())),
                Math.round(median(ok.stream().mapToDouble(GenerateClient.Result::rawBytes).toArray())),
                correct, results.size() - ok.size(),
                results.stream().map(GenerateClient.Result::error).filter(e -> e != null).distinct().limit(5).toList(),
                memory, atStart.offHeapNow());
    }

    /** The middle value (the mean of the two middle values for an even count); 0 for none. */
    static double median(double[] values) {
        if (values.length == 0) {
            return 0;
        }
        double[] s = values.clone();
        java.util.Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }

    public Map<String, Long> peakOffHeap() {
        return memory.offHeap();
    }
}
