package io.latentlink.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Measured statistics of one model's KV cache, per (layer, key/value): how the per-channel standard deviations are
 * spread (a log-normal fit over the ordinary channels), which share of channels are outliers and how much larger
 * they are, and how far channel means sit from zero. Written by bench's {@code KvStatsTool} to
 * {@code bench/results/kv-stats.json}; read by {@link KvValueModel}.
 *
 * @param model model id the statistics were measured on
 * @param layers that model's layer count
 * @param entries one per (layer, kind), kind 0 = key, 1 = value
 */
public record KvStats(String model, int layers, List<Entry> entries) {

    /**
     * Statistics of one (layer, kind), over all channels (kv head x head dim) and all measured tokens.
     *
     * @param logStdMean mean of ln(channel std) over the ordinary (non-outlier) channels
     * @param logStdSd standard deviation of ln(channel std) over the ordinary channels
     * @param medianStd median channel std over all channels
     * @param outlierThreshold a channel is an outlier when its std exceeds this many median stds
     * @param outlierFraction share of channels that are outliers
     * @param outlierRatio mean outlier std over the median std (0 when there are none)
     * @param channelMeanSd standard deviation of the channel means, in median stds
     */
    public record Entry(int layer, int kind, double logStdMean, double logStdSd, double medianStd,
            double outlierThreshold, double outlierFraction, double outlierRatio, double channelMeanSd) {

        public Entry {
            if (layer < 0 || (kind != 0 && kind != 1)) {
                throw new IllegalArgumentException("bad layer " + layer + " or kind " + kind);
            }
            if (!(logStdSd >= 0) || !(medianStd > 0) || !(outlierThreshold > 1) || !(outlierFraction >= 0)
                    || !(outlierFraction < 1) || !(outlierRatio >= 0) || !(channelMeanSd >= 0)
                    || !Double.isFinite(logStdMean)) {
                throw new IllegalArgumentException("implausible KV statistics for layer " + layer + " kind " + kind);
            }
        }
    }

    public KvStats {
        if (layers <= 0 || entries.size() != 2 * layers) {
            throw new IllegalArgumentException("model " + model + ": expected " + 2 * layers + " entries (key and"
                    + " value per layer), got " + entries.size());
        }
        entries = List.copyOf(entries);
    }

    public Entry entry(int layer, int kind) {
        for (Entry e : entries) {
            if (e.layer() == layer && e.kind() == kind) {
                return e;
            }
        }
        throw new IllegalArgumentException("no statistics for layer " + layer + " kind " + kind);
    }

    /** Reads the statistics of {@code model} from a kv-stats.json ({@code "models": [{"model": ..., ...}]}). */
    public static KvStats read(Path file, String model) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read KV statistics " + file, e);
        }
        for (JsonNode m : root.path("models")) {
            if (model.equals(m.path("model").asText())) {
                List<Entry> entries = new ArrayList<>();
                for (JsonNode e : m.path("entries")) {
                    entries.add(new Entry(e.path("layer").asInt(), kind(e.path("kind").asText(), file),
                            e.path("log_std_mean").asDouble(), e.path("log_std_sd").asDouble(),
                            e.path("median_std").asDouble(), e.path("outlier_threshold").asDouble(),
                            e.path("outlier_fraction").asDouble(), e.path("outlier_ratio").asDouble(),
                            e.path("channel_mean_sd").asDouble()));
                }
                return new KvStats(model, m.path("layers").asInt(), entries);
            }
        }
        throw new IllegalArgumentException(file + " has no KV statistics for model '" + model + "'");
    }

    private static int kind(String text, Path file) {
        return switch (text) {
            case "key" -> 0;
            case "value" -> 1;
            default -> throw new IllegalArgumentException(file + ": kind must be key or value, got '" + text + "'");
        };
    }
}
