package io.latentlink.core.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentlink.core.tensor.KvCache;
import io.latentlink.core.tensor.KvLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DecoderSessionTest {
    static final long[] IDS = {1, 5, 9, 14, 3, 30, 22, 7, 39, 18, 11};
    private static DecoderSession gqa;
    private static DecoderSession mha;

    @BeforeAll
    static void open() {
        gqa = DecoderSession.open(TestModels.fixture("tiny-gqa"), SessionConfig.cpu(1));
        mha = DecoderSession.open(TestModels.fixture("tiny-mha"), SessionConfig.defaults());
    }

    @AfterAll
    static void close() {
        gqa.close();
        mha.close();
    }

    @Test
    void chunkedPrefillAndDecodeStepsMatchOneBigPrefill() {
        for (DecoderSession s : new DecoderSession[] {gqa, mha}) {
            try (KvCache whole = s.newCache(); KvCache chunked = s.newCache(); KvCache stepped = s.newCache()) {
                float[] a = s.prefill(whole, IDS);
                float[] b = s.prefill(chunked, IDS, 4);
                s.prefill(stepped, Arrays.copyOf(IDS, IDS.length - 1));
                float[] c = s.decode(stepped, IDS[IDS.length - 1]);
                assertClose(a, b, 1e-5f);
                assertClose(a, c, 1e-5f);
                for (int l = 0; l < s.manifest().decoder().numHiddenLayers(); l++) {
                    assertClose(whole.keys(l).toArray(), chunked.keys(l).toArray(), 1e-5f);
                    assertClose(whole.values(l).toArray(), stepped.values(l).toArray(), 1e-5f);
                }
                assertEquals(IDS.length, whole.tokens());
            }
        }
    }

    @Test
    void keysInTheCacheAreTheGraphsPresentOutputsForEachPosition() {
        // The K of the first tokens must not change when later tokens are run: the cache holds per-position K/V.
        try (KvCache shortCache = gqa.newCache(); KvCache longCache = gqa.newCache()) {
            gqa.prefill(shortCache, Arrays.copyOf(IDS, 4));
            gqa.prefill(longCache, IDS);
            assertClose(shortCache.keys(1).toArray(), longCache.keys(1, 0, 4).toArray(), 1e-5f);
        }
    }

    @Test
    void concurrentCallsOnSeparateCachesGiveTheSequentialResults() throws Exception {
        int threads = 4;
        long[][] prompts = new long[threads][];
        long[][] sequential = new long[threads][];
        for (int i = 0; i < threads; i++) {
            prompts[i] = Arrays.copyOfRange(IDS, i, IDS.length);
            try (KvCache cache = gqa.newCache()) {
                sequential[i] = new Generator(gqa).generate(cache, prompts[i],
                        GenerationConfig.greedy(12).withStopOnEos(false)).tokenIds();
            }
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            java.util.List<java.util.concurrent.Future<long[]>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < threads; i++) {
                long[] prompt = prompts[i];
                futures.add(pool.submit(() -> {
                    try (KvCache cache = gqa.newCache()) {
                        return new Generator(gqa).generate(cache, prompt,
                                GenerationConfig.greedy(12).withStopOnEos(false)).tokenIds();
                    }
                }));
            }
            for (int i = 0; i < threads; i++) {
                assertArrayEquals(sequential[i], futures.get(i).get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        long perCall = 64L * (3 * Long.BYTES + 48 * Float.BYTES); // context 64, vocab 48
        assertTrue(gqa.scratchBytesHeld() > 0 && gqa.scratchBytesHeld() <= threads * perCall,
                "scratch is pooled and bounded: " + gqa.scratchBytesHeld());
    }

    @Test
    void badCallsAreRejectedClearly() {
        try (KvCache cache = gqa.newCache()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> gqa.prefill(cache, new long[] {1, 48}));
            assertTrue(e.getMessage().contains("token id 48 at index 1"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> gqa.prefill(cache, new long[0]));
            assertThrows(IllegalArgumentException.class, () -> gqa.prefill(cache, IDS, 0));
            assertEquals(0, cache.tokens(), "a rejected call leaves the cache alone");
        }
        try (KvCache other = KvCache.allocate(new KvLayout(2, 2, 8), 0, 64)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> gqa.decode(other, 1));
            assertTrue(e.getMessage().contains("does not match the model's"), e.getMessage());
        }
        try (KvCache cache = gqa.newCache()) {
            gqa.prefill(cache, new long[64]);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> gqa.decode(cache, 1));
            assertTrue(e.getMessage().contains("context length 64"), e.getMessage());
        }
    }

    @Test
    void cudaOnACpuOnlyBuildFailsWithInstructions() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DecoderSession.open(TestModels.fixture("tiny-gqa"), SessionConfig.cuda(0)));
        assertTrue(e.getMessage().contains("-Dgpu"), e.getMessage());
        assertEquals(SessionConfig.cuda(3), SessionConfig.parse("CUDA:3"));
        assertEquals(SessionConfig.defaults(), SessionConfig.parse("cpu"));
        assertThrows(IllegalArgumentException.class, () -> SessionConfig.parse("tpu"));
    }

    // ---------------------------------------------------------------------------------- graph vs manifest

    @Test
    void graphWithoutTheDeclaredNamesIsRejected(@TempDir Path dir) throws IOException {
        GraphMismatchException e = openEdited(dir, "tiny-gqa",
                c -> ModelManifestTest.outputs(c).put("present_key_names", "present_key.%d"));
        assertEquals("present_key.0", e.field());
        assertTrue(e.getMessage().contains("no output named 'present_key.0'"), e.getMessage());
    }

    @Test
    void undeclaredGraphInputsAreRejected(@TempDir Path dir) throws IOException {
        GraphMismatchException e = openEdited(dir, "tiny-gqa", c -> ModelManifestTest.inputs(c).remove("position_ids"));
        assertEquals("position_ids", e.field());
        assertTrue(e.getMessage().contains("not declared"), e.getMessage());
    }

    @Test
    void declaredInputsTheGraphLacksAreRejected(@TempDir Path dir) throws IOException {
        GraphMismatchException e = openEdited(dir, "tiny-mha",
                c -> ModelManifestTest.inputs(c).put("attention_mask", "attention_mask"));
        assertEquals("attention_mask", e.field());
    }

    @Test
    void layerCountMismatchIsRejected(@TempDir Path dir) throws IOException {
        GraphMismatchException e = openEdited(dir, "tiny-gqa", c -> ModelManifestTest.decoder(c).put("num_hidden_layers", 1));
        assertEquals("model.decoder.inputs.past_key_names", e.field());
        assertTrue(e.getMessage().contains("graph has 2 tensors matching"), e.getMessage());
        e = openEdited(dir, "tiny-gqa", c -> ModelManifestTest.decoder(c).put("num_hidden_layers", 3));
        assertEquals("past_key_values.2.key", e.field());
    }

    @Test
    void staticDimsMustMatchKvHeadsHeadSizeAndVocab(@TempDir Path dir) throws IOException {
        GraphMismatchException e = openEdited(dir, "tiny-gqa",
                c -> ModelManifestTest.decoder(c).put("num_key_value_heads", 4));
        assertTrue(e.getMessage().contains("dim 1 = 2 but the manifest implies 4 (num_key_value_heads)"), e.getMessage());
        e = openEdited(dir, "tiny-gqa", c -> ModelManifestTest.decoder(c).put("num_attention_heads", 2)
                .put("head_size", 8).put("num_key_value_heads", 2));
        assertTrue(e.getMessage().contains("(head_size)"), e.getMessage());
        e = openEdited(dir, "tiny-gqa", c -> ModelManifestTest.model(c).put("vocab_size", 50));
        assertEquals("logits", e.field());
        assertTrue(e.getMessage().contains("(vocab_size)"), e.getMessage());
    }

    @Test
    void wrongElementTypeIsRejected() {
        GraphMismatchException e = assertThrows(GraphMismatchException.class,
                () -> DecoderSession.open(TestModels.fixture("tiny-bad-dtype"), SessionConfig.defaults()));
        assertEquals("input_ids", e.field());
        assertTrue(e.getMessage().contains("element type INT32, expected INT64"), e.getMessage());
    }

    private static GraphMismatchException openEdited(Path dir, String fixture, Consumer<ObjectNode> edit)
            throws IOException {
        Path src = TestModels.fixture(fixture);
        Files.copy(src.resolve("model.onnx"), dir.resolve("model.onnx"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ObjectNode config = (ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(src.resolve("genai_config.json").toFile());
        edit.accept(config);
        Files.writeString(dir.resolve("genai_config.json"), config.toString());
        return assertThrows(GraphMismatchException.class, () -> DecoderSession.open(dir, SessionConfig.defaults()));
    }

    static void assertClose(float[] expected, float[] actual, float tolerance) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            if (Math.abs(expected[i] - actual[i]) > tolerance) {
                throw new AssertionError("index " + i + ": expected " + expected[i] + " but got " + actual[i]);
            }
        }
    }
}
