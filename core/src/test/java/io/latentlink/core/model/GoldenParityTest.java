package io.latentlink.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentlink.core.tensor.KvCache;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Java vs the Python side's golden files ({@code <root>/golden/<model>-<name>.json}, format in docs/ARTIFACTS.md):
 * last-position logits after the golden's prefill chunks within 1e-4, and identical greedy continuations, run through
 * {@link Generator} from a cache holding all prompt tokens but the last (the C2C path). Data-driven over whatever
 * decoder goldens exist (fuser goldens, which name no model, are left to the fusion tests): the committed tiny fixtures always, the repository's models/ when present.
 */
class GoldenParityTest {
    static final double MAX_ABS_ERROR = 1e-4;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<Path, DecoderSession> SESSIONS = new HashMap<>();

    @AfterAll
    static void closeSessions() {
        SESSIONS.values().forEach(DecoderSession::close);
        SESSIONS.clear();
    }

    @TestFactory
    Stream<DynamicNode> fixtureGoldens() throws IOException {
        List<DynamicNode> nodes = goldens(TestModels.fixtureRoot());
        assertTrue(nodes.size() >= 4, "the fixture goldens are committed; found " + nodes.size());
        return nodes.stream();
    }

    @TestFactory
    Stream<DynamicNode> modelGoldens() throws IOException {
        Path root = TestModels.realModelsRoot();
        Path golden = root.resolve("golden");
        if (!Files.isDirectory(golden)) {
            return Stream.of(DynamicTest.dynamicTest("models/golden", () -> assumeTrue(false,
                    "no " + golden + " yet: the demo models have not landed; parity runs on the tiny fixtures only")));
        }
        List<DynamicNode> nodes = goldens(root);
        if (nodes.isEmpty()) {
            return Stream.of(DynamicTest.dynamicTest("models/golden", () -> assumeTrue(false,
                    golden + " holds no golden *.json files")));
        }
        return nodes.stream();
    }

    private static List<DynamicNode> goldens(Path root) throws IOException {
        List<DynamicNode> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(root.resolve("golden"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                JsonNode g = JSON.readTree(f.toFile());
                if (!g.has("model") || !g.has("input_ids")) {
                    continue; // a fuser golden (golden/fuser-layer_<i>.json): the fusion tests own those
                }
                out.add(DynamicContainer.dynamicContainer(f.getFileName().toString(), Stream.of(
                        DynamicTest.dynamicTest("last logits within " + MAX_ABS_ERROR, () -> checkLogits(root, f)),
                        DynamicTest.dynamicTest("greedy continuation", () -> checkGreedy(root, f)))));
            }
        }
        return out;
    }

    record Golden(String model, long[] inputIds, int[] chunks, float[] lastLogits, long[] greedyIds) {
        static Golden read(Path f) throws IOException {
            JsonNode g = JSON.readTree(f.toFile());
            return new Golden(g.get("model").asText(), longs(g.get("input_ids")), ints(g.get("prefill_chunks")),
                    floats(g.get("last_logits")), longs(g.get("greedy_ids")));
        }

        private static long[] longs(JsonNode a) {
            long[] out = new long[a.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = a.get(i).asLong();
            }
            return out;
        }

        private static int[] ints(JsonNode a) {
            int[] out = new int[a.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = a.get(i).asInt();
            }
            return out;
        }

        private static float[] floats(JsonNode a) {
            float[] out = new float[a.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) a.get(i).asDouble();
            }
            return out;
        }
    }

    private static DecoderSession session(Path root, String model) {
        return SESSIONS.computeIfAbsent(root.resolve(model), dir -> DecoderSession.open(dir, SessionConfig.defaults()));
    }

    private static void checkLogits(Path root, Path file) throws IOException {
        Golden g = Golden.read(file);
        assertEquals(g.inputIds().length, Arrays.stream(g.chunks()).sum(), "golden's prefill_chunks must cover input_ids");
        DecoderSession s = session(root, g.model());
        try (KvCache cache = s.newCache()) {
            float[] logits = null;
            int from = 0;
            for (int chunk : g.chunks()) {
                logits = s.forward(cache, g.inputIds(), from, from + chunk);
                from += chunk;
            }
            assertEquals(g.inputIds().length, cache.tokens());
            assertEquals(g.lastLogits().length, logits.length, "vocab size");
            double maxErr = 0;
            for (int i = 0; i < logits.length; i++) {
                maxErr = Math.max(maxErr, Math.abs(logits[i] - g.lastLogits()[i]));
            }
            System.out.printf("parity %s: max abs logit error %.3g over %d logits%n", file.getFileName(), maxErr,
                    logits.length);
            assertTrue(maxErr <= MAX_ABS_ERROR, "max abs logit error " + maxErr + " > " + MAX_ABS_ERROR);
        }
    }

    private static void checkGreedy(Path root, Path file) throws IOException {
        Golden g = Golden.read(file);
        DecoderSession s = session(root, g.model());
        long[] ids = g.inputIds();
        try (KvCache cache = s.newCache()) {
            // Golden chunks, trimmed to stop before the last prompt token.
            int from = 0;
            for (int chunk : g.chunks()) {
                int to = Math.min(from + chunk, ids.length - 1);
                if (to > from) {
                    s.forward(cache, ids, from, to);
                }
                from += chunk;
            }
            GenerationResult r = new Generator(s).generate(cache, new long[] {ids[ids.length - 1]},
                    GenerationConfig.greedy(g.greedyIds().length).withStopOnEos(false));
            assertArrayEquals(g.greedyIds(), r.tokenIds(), "greedy continuation of " + file.getFileName());
            assertEquals(StopReason.MAX_TOKENS, r.stopReason());
        }
    }
}
