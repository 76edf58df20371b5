package io.latentlink.core.model;

import io.latentlink.core.tensor.KvCache;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeneratorTest {
    static final long[] PROMPT = {1, 5, 9, 14, 3, 30, 22, 7};
    /** A stand-in detokenizer: token id i becomes the letter 'a' + (i % 26), id 26 a newline. */
    static final TokenText LETTERS = ids -> LongStream.of(ids)
            .mapToObj(i -> i == 26 ? "\n" : String.valueOf((char) ('a' + i % 26))).collect(Collectors.joining());
    private static DecoderSession session;
    private static Generator generator;

    @BeforeAll
    static void open() {
        session = DecoderSession.open(TestModels.fixture("tiny-gqa"), SessionConfig.defaults());
        generator = new Generator(session);
    }

    @AfterAll
    static void close() {
        session.close();
    }

    private GenerationResult run(GenerationConfig config) {
        try (KvCache cache = session.newCache()) {
            return generator.generate(cache, PROMPT, config, LETTERS, TokenListener.NONE);
        }
    }

    private static long[] greedyReference(int n) {
        // Independent of Generator: argmax over DecoderSession's logits, token by token.
        try (KvCache cache = session.newCache()) {
            float[] logits = session.prefill(cache, PROMPT);
            long[] out = new long[n];
            for (int i = 0; i < n; i++) {
                out[i] = Sampling.argmax(logits);
                if (i + 1 < n) {
                    logits = session.decode(cache, out[i]);
                }
            }
            return out;
        }
    }

    @Test
    void greedyFollowsArgmaxAndStopsAtMaxTokens() {
        GenerationResult r = run(GenerationConfig.greedy(12).withStopOnEos(false));
        assertArrayEquals(greedyReference(12), r.tokenIds());
        assertEquals(StopReason.MAX_TOKENS, r.stopReason());
        assertEquals(LETTERS.decode(r.tokenIds()), r.text());
        assertEquals(PROMPT.length, r.prefillTokens());
    }

    @Test
    void chunkedPrefillGivesTheSameContinuation() {
        GenerationResult a = run(GenerationConfig.greedy(10).withStopOnEos(false));
        GenerationResult b = run(GenerationConfig.greedy(10).withStopOnEos(false).withPrefillChunkSize(3));
        assertArrayEquals(a.tokenIds(), b.tokenIds());
    }

    @Test
    void stopsOnATokenWithoutEmittingIt() {
        long[] ref = greedyReference(12);
        long stop = ref[4];
        int firstAt = Arrays.stream(ref).boxed().toList().indexOf(stop);
        GenerationResult r = run(GenerationConfig.greedy(12).withStopOnEos(false).withStopTokenIds(Set.of(stop)));
        assertEquals(StopReason.STOP_TOKEN, r.stopReason());
        assertArrayEquals(Arrays.copyOf(ref, firstAt), r.tokenIds());
    }

    @Test
    void stopsOnTheManifestsEosWhenAskedTo(@TempDir Path dir) throws IOException {
        long[] ref = greedyReference(12);
        long eos = ref[5];
        int eosAt = Arrays.stream(ref).boxed().toList().indexOf(eos);
        // The same model with its eos_token_id set to a token the greedy path is known to reach.
        Path src = TestModels.fixture("tiny-gqa");
        Files.copy(src.resolve("model.onnx"), dir.resolve("model.onnx"));
        ObjectNode config = ModelManifestTest.fixtureConfig();
        ModelManifestTest.model(config).putArray("eos_token_id").add(47).add(eos);
        Files.writeString(dir.resolve("genai_config.json"), config.toString());
        try (DecoderSession withEos = DecoderSession.open(dir, SessionConfig.defaults());
             KvCache cache = withEos.newCache()) {
            GenerationResult r = new Generator(withEos).generate(cache, PROMPT, GenerationConfig.greedy(12));
            assertEquals(StopReason.EOS, r.stopReason());
            assertArrayEquals(Arrays.copyOf(ref, eosAt), r.tokenIds(), "eos itself is not part of the output");
        }
    }

    @Test
    void stopsOnAStopStringAndCutsTheTextBeforeIt() {
        long[] ref = greedyReference(12);
        String full = LETTERS.decode(ref);
        String stop = full.substring(5, 7);
        int cut = full.indexOf(stop);
        GenerationResult r = run(GenerationConfig.greedy(12).withStopOnEos(false).withStopStrings(List.of("@@", stop)));
        assertEquals(StopReason.STOP_STRING, r.stopReason());
        assertEquals(full.substring(0, cut), r.text());
        assertArrayEquals(Arrays.copyOf(ref, cut + stop.length()), r.tokenIds(), "the stop string's tokens stay");
        assertThrows(IllegalArgumentException.class, () -> {
            try (KvCache cache = session.newCache()) {
                generator.generate(cache, PROMPT, GenerationConfig.greedy(4).withStopStrings(List.of("x")), null,
                        TokenListener.NONE);
            }
        });
    }

    @Test
    void streamsEveryTokenAndCanBeCancelled() {
        List<Long> seen = new ArrayList<>();
        GenerationResult r;
        try (KvCache cache = session.newCache()) {
            r = generator.generate(cache, PROMPT, GenerationConfig.greedy(10).withStopOnEos(false), null,
                    (index, id) -> {
                        assertEquals(seen.size(), index);
                        seen.add(id);
                        return index < 3;
                    });
            assertEquals(PROMPT.length + 3, cache.tokens(), "the 4th token was never fed back");
        }
        assertEquals(StopReason.CANCELLED, r.stopReason());
        assertEquals(4, r.tokenIds().length);
        assertEquals(LongStream.of(r.tokenIds()).boxed().toList(), seen);
        assertNull(r.text());
    }

    @Test
    void continuesFromAnExistingCacheLikeC2C() {
        GenerationResult fromScratch = run(GenerationConfig.greedy(8).withStopOnEos(false));
        try (KvCache cache = session.newCache()) {
            session.prefill(cache, Arrays.copyOf(PROMPT, PROMPT.length - 1), 3);
            GenerationResult fromCache = generator.generate(cache, new long[] {PROMPT[PROMPT.length - 1]},
                    GenerationConfig.greedy(8).withStopOnEos(false));
            assertArrayEquals(fromScratch.tokenIds(), fromCache.tokenIds());
            assertEquals(1, fromCache.prefillTokens());
        }
    }

    @Test
    void stopsWhenTheContextIsFull() {
        try (KvCache cache = session.newCache()) {
            session.prefill(cache, new long[60]);
            GenerationResult r = generator.generate(cache, new long[] {1}, GenerationConfig.greedy(20).withStopOnEos(false));
            assertEquals(StopReason.CONTEXT_FULL, r.stopReason());
            assertEquals(64, cache.tokens());
            assertEquals(4, r.tokenIds().length, "3 fed back + 1 chosen at the last position");
        }
    }

    @Test
    void seededSamplingIsReproducibleAndSeedDependent() {
        GenerationConfig hot = GenerationConfig.greedy(16).withStopOnEos(false)
                .withSampling(Sampling.random(3.0, 0, 1.0, 42));
        GenerationResult a = run(hot);
        GenerationResult b = run(hot);
        assertArrayEquals(a.tokenIds(), b.tokenIds());
        boolean differs = false;
        for (long seed = 43; seed < 53 && !differs; seed++) {
            differs = !Arrays.equals(a.tokenIds(), run(hot.withSampling(Sampling.random(3.0, 0, 1.0, seed))).tokenIds());
        }
        assertTrue(differs, "another seed changes a hot-temperature sample");
        GenerationResult topOne = run(GenerationConfig.greedy(10).withStopOnEos(false)
                .withSampling(Sampling.random(5.0, 1, 1.0, 7)));
        assertArrayEquals(greedyReference(10), topOne.tokenIds(), "top-k 1 is greedy whatever the temperature");
    }
}
