package io.latentlink.sender;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentlink.core.wire.KvBlock;
import io.latentlink.engine.KvStats;
import io.latentlink.engine.KvValueModel;
import io.latentlink.engine.SyntheticKv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticValuesTest {

    private static SenderConfig.Synthetic config(String values, Optional<String> stats) {
        return new SenderConfig.Synthetic() {
            public String modelId() {
                return "qwen3-0.6b-synthetic";
            }

            public int layers() {
                return 6;
            }

            public int kvHeads() {
                return 2;
            }

            public int headSize() {
                return 16;
            }

            public Duration stepCost() {
                return Duration.ZERO;
            }

            public String values() {
                return values;
            }

            public Optional<String> valueStats() {
                return stats;
            }

            public String valueStatsModel() {
                return "rx";
            }

            public long valueSeed() {
                return 3;
            }
        };
    }

    private static Path stats(Path dir) throws Exception {
        Path file = dir.resolve("kv-stats.json");
        StringBuilder entries = new StringBuilder();
        for (int l = 0; l < 2; l++) {
            for (String kind : List.of("key", "value")) {
                entries.append(entries.isEmpty() ? "" : ",").append("""
                        {"layer": %d, "kind": "%s", "log_std_mean": -0.5, "log_std_sd": 0.3, "median_std": 0.6,
                         "outlier_threshold": 4.0, "outlier_fraction": 0.0, "outlier_ratio": 0.0,
                         "channel_mean_sd": 0.4}""".formatted(l, kind));
            }
        }
        Files.writeString(file, "{\"models\": [{\"model\": \"rx\", \"layers\": 2, \"entries\": [" + entries + "]}]}");
        return file;
    }

    @Test
    void realisticValuesComeFromTheValueModelOfTheConfiguredStatistics(@TempDir Path dir) throws Exception {
        Path file = stats(dir);
        SyntheticSharerEngine engine = SharerEngineProducer.synthetic(config("realistic", Optional.of(file.toString())));
        KvValueModel expected = KvValueModel.of(engine.geometry(), KvStats.read(file, "rx"), 3,
                KvValueModel.DEFAULT_POOL_ROWS);
        String prompt = "forty bytes of prompt for the synthetic!";
        try (SharerEngine.Prefill p = engine.open(prompt)) {
            KvBlock first = p.next(32);
            KvBlock rest = p.next(32);
            assertEquals(40, p.promptTokens());
            assertEquals(32, rest.tokenStart());
            List<Integer> all = IntStream.range(0, 6).boxed().toList();
            KvBlock want = expected.block(SyntheticKv.tokenize(prompt), 32, 40, all);
            assertArrayEquals(want.keys()[5], rest.keys()[5]);
            assertArrayEquals(want.values()[0], rest.values()[0]);
            assertEquals(6, first.layers().size());
        }
    }

    @Test
    void hashStaysTheDefaultAndBadSettingsFailAtStartup() {
        SyntheticSharerEngine hash = SharerEngineProducer.synthetic(config("hash", Optional.empty()));
        try (SharerEngine.Prefill p = hash.open("abc")) {
            KvBlock b = p.next(8);
            assertEquals(SyntheticKv.value(2, 1, 1, 1, 3, 'b'), b.values()[2][(1 * 3 + 1) * 16 + 3]);
        }
        IllegalStateException noStats = assertThrows(IllegalStateException.class,
                () -> SharerEngineProducer.synthetic(config("realistic", Optional.empty())));
        assertTrue(noStats.getMessage().contains("value-stats"), noStats.getMessage());
        assertThrows(IllegalStateException.class,
                () -> SharerEngineProducer.synthetic(config("gaussian", Optional.empty())));
    }
}
