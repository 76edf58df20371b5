package io.latentlink.bench.transport;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.latentlink.bench.modes.MachineInfo;
import io.latentlink.core.eval.LinkQaDataset;
import io.latentlink.core.eval.LinkQaItem;
import io.latentlink.core.link.LinkModel;
import io.latentlink.core.model.SessionConfig;
import io.latentlink.core.tensor.KvCache;
import io.latentlink.core.tensor.KvView;
import io.latentlink.engine.KvStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures the KV statistics that {@link io.latentlink.engine.KvValueModel} reproduces, on the demo models: prefills
 * LinkQA validation prompts with core's decoder session and, per (layer, key/value), summarises each channel's
 * (kv head x head dim) mean and std over all prompt tokens but BOS (its KV is a known per-token outlier, the
 * "attention sink", which the value model does not draw). Writes {@code bench/results/kv-stats.json}.
 *
 * <pre>
 * java ... io.latentlink.bench.transport.KvStatsTool [--models rx,sx] [--prompts 16] [--out bench/results/kv-stats.json]
 * </pre>
 */
public final class KvStatsTool {

    /** A channel whose std exceeds this many median stds is an outlier channel. */
    static final double OUTLIER_THRESHOLD = 4.0;

    private KvStatsTool() {
    }

    public static void main(String[] args) throws Exception {
        List<String> models = List.of("rx", "sx");
        int prompts = 16;
        Path out = Path.of("bench/results/kv-stats.json");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--models" -> models = List.of(args[++i].split(","));
                case "--prompts" -> prompts = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown flag " + args[i]
                        + " (known: --models, --prompts, --out)");
            }
        }
        Path repo = Path.of("").toAbsolutePath();
        Path modelsDir = repo.resolve("models");
        List<LinkQaItem> items = LinkQaDataset.read(modelsDir.resolve("linkqa/context-val.jsonl"));
        items = items.subList(0, Math.min(prompts, items.size()));
        List<Map<String, Object>> measured = new ArrayList<>();
        for (String model : models) {
            measured.add(measure(modelsDir.resolve(model), model, items));
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("name", "kv-stats");
        root.put("date", Instant.now().toString());
        root.put("commit", MachineInfo.gitCommit(repo));
        root.put("machine", TransportReport.machine(MachineInfo.loadAverage(), MachineInfo.loadAverage()));
        root.put("command", "KvStatsTool " + String.join(" ", args));
        root.put("settings", Map.of("prompts", items.size(), "source", "models/linkqa/context-val.jsonl",
                "outlier_threshold_median_stds", OUTLIER_THRESHOLD, "bos_excluded", true));
        root.put("models", measured);
        Files.createDirectories(out.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), root);
        System.out.println("wrote " + out);
    }

    private static Map<String, Object> measure(Path dir, String name, List<LinkQaItem> items) {
        try (LinkModel model = LinkModel.open(dir, SessionConfig.defaults())) {
            int layers = model.manifest().decoder().numHiddenLayers();
            ChannelMoments[][] moments = null;
            long tokens = 0;
            for (LinkQaItem item : items) {
                long[] ids = model.promptIds(item.prompt());
                try (KvCache cache = model.session().newCache()) {
                    model.session().prefill(cache, ids);
                    if (moments == null) {
                        moments = new ChannelMoments[layers][2];
                        for (int l = 0; l < layers; l++) {
                            KvView k = cache.keys(l);
                            for (int kind = 0; kind < 2; kind++) {
                                moments[l][kind] = new ChannelMoments(k.heads(), k.headDim());
                            }
                        }
                    }
                    for (int l = 0; l < layers; l++) {
                        moments[l][0].add(cache.keys(l), 1);
                        moments[l][1].add(cache.values(l), 1);
                    }
                    tokens += ids.length - 1;
                }
            }
            List<Map<String, Object>> entries = new ArrayList<>();
            for (int l = 0; l < layers; l++) {
                for (int kind = 0; kind < 2; kind++) {
                    double[] std = moments[l][kind].std();
                    KvStats.Entry e = summarize(l, kind, std, moments[l][kind].mean(), OUTLIER_THRESHOLD);
                    Map<String, Object> j = json(e);
                    // How close the largest channel comes to the outlier threshold, for the record.
                    j.put("max_std_over_median", Arrays.stream(std).max().orElse(0) / e.medianStd());
                    entries.add(j);
                }
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", name);
            m.put("layers", layers);
            m.put("kv_heads", moments[0][0].heads);
            m.put("head_size", moments[0][0].headDim);
            m.put("prompts", items.size());
            m.put("tokens", tokens);
            m.put("entries", entries);
            return m;
        }
    }

    /** Per-channel running sums over tokens of one [heads, tokens, headDim] view. */
    static final class ChannelMoments {
        final int heads;
        final int headDim;
        private final double[] sum;
        private final double[] sq;
        private long n;

        ChannelMoments(int heads, int headDim) {
            this.heads = heads;
            this.headDim = headDim;
            this.sum = new double[heads * headDim];
            this.sq = new double[heads * headDim];
        }

        void add(KvView view, int fromToken) {
            for (int h = 0; h < heads; h++) {
                for (int t = fromToken; t < view.tokens(); t++) {
                    for (int d = 0; d < headDim; d++) {
                        double x = view.get(h, t, d);
                        sum[h * headDim + d] += x;
                        sq[h * headDim + d] += x * x;
                    }
                }
            }
            n += view.tokens() - fromToken;
        }

        double[] mean() {
            return Arrays.stream(sum).map(s -> s / n).toArray();
        }

        double[] std() {
            double[] out = new double[sum.length];
            for (int c = 0; c < out.length; c++) {
                double m = sum[c] / n;
                out[c] = Math.sqrt(Math.max(0, sq[c] / n - m * m));
            }
            return out;
        }
    }

    /** Summarises one (layer, kind)'s channel stds and means as {@link KvStats.Entry} describes. */
    static KvStats.Entry summarize(int layer, int kind, double[] std, double[] mean, double threshold) {
        double[] sorted = std.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        double logSum = 0, logSq = 0, outlierSum = 0, meanSq = 0;
        int outliers = 0;
        for (int c = 0; c < n; c++) {
            if (std[c] > threshold * median) {
                outliers++;
                outlierSum += std[c];
            } else {
                double lg = Math.log(Math.max(std[c], 1e-12));
                logSum += lg;
                logSq += lg * lg;
            }
            meanSq += (mean[c] / median) * (mean[c] / median);
        }
        int inliers = n - outliers;
        double logMean = logSum / inliers;
        double logSd = Math.sqrt(Math.max(0, logSq / inliers - logMean * logMean));
        return new KvStats.Entry(layer, kind, logMean, logSd, median, threshold, outliers / (double) n,
                outliers == 0 ? 0 : outlierSum / outliers / median, Math.sqrt(meanSq / n));
    }

    static Map<String, Object> json(KvStats.Entry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("layer", e.layer());
        m.put("kind", e.kind() == 0 ? "key" : "value");
        m.put("log_std_mean", e.logStdMean());
        m.put("log_std_sd", e.logStdSd());
        m.put("median_std", e.medianStd());
        m.put("outlier_threshold", e.outlierThreshold());
        m.put("outlier_fraction", e.outlierFraction());
        m.put("outlier_ratio", e.outlierRatio());
        m.put("channel_mean_sd", e.channelMeanSd());
        return m;
    }
}
