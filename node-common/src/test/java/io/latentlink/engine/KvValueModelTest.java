package io.latentlink.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentlink.core.wire.KvBlock;
import io.latentlink.core.wire.KvGeometry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvValueModelTest {

    private static final KvGeometry QWEN = new KvGeometry("qwen3-0.6b-synthetic", "", 28, 8, 128);
    private static final int TOKENS = 2048;

    /** Four measured layers whose keys get deeper, wider spread and more outliers than their values. */
    private static KvStats stats() {
        List<KvStats.Entry> entries = new ArrayList<>();
        for (int l = 0; l < 4; l++) {
            double mu = Math.log(0.4 + 0.2 * l);
            entries.add(new KvStats.Entry(l, 0, mu, 0.5, Math.exp(mu), 4.0, 0.04, 9.0, 0.3));
            entries.add(new KvStats.Entry(l, 1, mu - 0.5, 0.25, Math.exp(mu - 0.5), 4.0, 0.0, 0.0, 0.1));
        }
        return new KvStats("rx", 4, entries);
    }

    private static int[] ids(int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = (i * 31 + 7) % 1000;
        }
        return ids;
    }

    /** Sample std over tokens of each channel (head * headSize + dim) of one [kvHeads, tokens, headSize] array. */
    private static double[] channelStds(float[] kv, int tokens) {
        int hs = QWEN.headSize();
        double[] out = new double[QWEN.kvHeads() * hs];
        for (int h = 0; h < QWEN.kvHeads(); h++) {
            for (int d = 0; d < hs; d++) {
                double sum = 0, sq = 0;
                for (int t = 0; t < tokens; t++) {
                    double x = kv[(h * tokens + t) * hs + d];
                    sum += x;
                    sq += x * x;
                }
                double mean = sum / tokens;
                out[h * hs + d] = Math.sqrt(Math.max(0, sq / tokens - mean * mean));
            }
        }
        return out;
    }

    @Test
    void generatedKvReproducesTheMeasuredStatistics() {
        KvStats stats = stats();
        KvValueModel model = KvValueModel.of(QWEN, stats, 7, KvValueModel.DEFAULT_POOL_ROWS);
        KvBlock block = model.block(ids(TOKENS), 0, TOKENS, List.of(0, 27));
        for (int layer : List.of(0, 27)) {
            for (int kind = 0; kind < 2; kind++) {
                KvStats.Entry e = stats.entry(model.sourceLayer(layer), kind);
                double[] std = channelStds(kind == 0 ? block.keys()[layer] : block.values()[layer], TOKENS);
                double median = median(std);
                assertEquals(e.medianStd(), median, 0.08 * e.medianStd(), "median std, layer " + layer);
                int outliers = 0;
                double outlierSum = 0, logSum = 0, logSq = 0, relErr = 0;
                for (int c = 0; c < std.length; c++) {
                    relErr += Math.abs(std[c] / model.channelStd(layer, kind, c) - 1);
                    if (std[c] > e.outlierThreshold() * median) {
                        outliers++;
                        outlierSum += std[c];
                    } else {
                        logSum += Math.log(std[c]);
                        logSq += Math.log(std[c]) * Math.log(std[c]);
                    }
                }
                int inliers = std.length - outliers;
                double logMean = logSum / inliers;
                double logSd = Math.sqrt(logSq / inliers - logMean * logMean);
                assertTrue(relErr / std.length < 0.06, "channel stds follow the drawn scales: " + relErr / std.length);
                assertEquals(e.outlierFraction(), outliers / (double) std.length, 0.015, "outlier fraction");
                if (e.outlierFraction() > 0) {
                    assertEquals(e.outlierRatio(), outlierSum / outliers / median, 0.15 * e.outlierRatio(),
                            "outlier magnitude ratio");
                }
                assertEquals(e.logStdMean(), logMean, 0.06, "mean log std, layer " + layer + " kind " + kind);
                assertEquals(e.logStdSd(), logSd, 0.06, "spread of log std, layer " + layer + " kind " + kind);
            }
        }
    }

    @Test
    void layersMapByRelativeDepth() {
        KvValueModel model = KvValueModel.of(QWEN, stats(), 1, 8);
        assertEquals(0, model.sourceLayer(0));
        assertEquals(0, model.sourceLayer(6));
        assertEquals(1, model.sourceLayer(7));
        assertEquals(3, model.sourceLayer(27));
    }

    @Test
    void deterministicPerSeed() {
        int[] ids = ids(64);
        KvBlock a = KvValueModel.of(QWEN, stats(), 11, 32).block(ids, 16, 64, List.of(3, 20));
        KvBlock b = KvValueModel.of(QWEN, stats(), 11, 32).block(ids, 16, 64, List.of(3, 20));
        KvBlock c = KvValueModel.of(QWEN, stats(), 12, 32).block(ids, 16, 64, List.of(3, 20));
        assertArrayEquals(a.keys()[20], b.keys()[20]);
        assertArrayEquals(a.values()[3], b.values()[3]);
        assertFalse(Arrays.equals(a.keys()[20], c.keys()[20]));
        assertEquals(List.of(3, 20), a.layers());
    }

    @Test
    void aPositionHasTheSameValuesWhateverBlockItIsIn() {
        KvValueModel model = KvValueModel.of(QWEN, stats(), 5, 32);
        int[] ids = ids(40);
        KvBlock whole = model.block(ids, 0, 40, List.of(9));
        KvBlock tail = model.block(ids, 30, 40, List.of(9));
        int hs = QWEN.headSize();
        for (int h = 0; h < QWEN.kvHeads(); h++) {
            assertArrayEquals(Arrays.copyOfRange(whole.values()[9], (h * 40 + 35) * hs, (h * 40 + 36) * hs),
                    Arrays.copyOfRange(tail.values()[9], (h * 10 + 5) * hs, (h * 10 + 6) * hs));
        }
    }

    @Test
    void readsTheStatisticsFileAndRefusesBadOnes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("kv-stats.json");
        Files.writeString(file, """
                {"models": [{"model": "rx", "layers": 1, "entries": [
                  {"layer": 0, "kind": "key", "log_std_mean": -1.0, "log_std_sd": 0.4, "median_std": 0.37,
                   "outlier_threshold": 4.0, "outlier_fraction": 0.02, "outlier_ratio": 6.5, "channel_mean_sd": 0.2},
                  {"layer": 0, "kind": "value", "log_std_mean": -1.5, "log_std_sd": 0.2, "median_std": 0.22,
                   "outlier_threshold": 4.0, "outlier_fraction": 0.0, "outlier_ratio": 0.0, "channel_mean_sd": 0.1}
                ]}]}""");
        KvStats s = KvStats.read(file, "rx");
        assertEquals(6.5, s.entry(0, 0).outlierRatio());
        assertEquals(0.22, s.entry(0, 1).medianStd());
        assertThrows(IllegalArgumentException.class, () -> KvStats.read(file, "sx"));
        Files.writeString(file, Files.readString(file).replace("\"value\"", "\"val\""));
        assertThrows(IllegalArgumentException.class, () -> KvStats.read(file, "rx"));
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
