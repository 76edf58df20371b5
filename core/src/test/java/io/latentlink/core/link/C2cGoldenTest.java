package io.latentlink.core.link;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentlink.core.fusion.FuserRunner;
import io.latentlink.core.model.SessionConfig;
import io.latentlink.core.tensor.KvCache;
import io.latentlink.core.tokenizer.AlignmentStrategy;
import io.latentlink.core.tokenizer.TokenAligner;
import io.latentlink.core.tokenizer.TokenEncoding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End-to-end C2C against the PyTorch reference (models/golden/c2c-*.json): the same token ids on both sides, the same
 * aligned sharer positions, the fused receiver's last-position logits within 1e-4, and the same answer.
 */
class C2cGoldenTest {
    static LinkModel rx;
    static LinkModel sx;
    static FuserRunner fuser;
    static Path models;

    @BeforeAll
    static void load() throws IOException {
        models = DemoModels.dir();
        rx = LinkModel.open(models.resolve("rx"), SessionConfig.cpu(1));
        sx = LinkModel.open(models.resolve("sx"), SessionConfig.cpu(1));
        fuser = FuserRunner.load(models.resolve("fuser-rx-sx"));
    }

    @AfterAll
    static void close() {
        for (AutoCloseable c : new AutoCloseable[] {fuser, sx, rx}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // test teardown: nothing to report to
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> c2cMatchesTheReference() throws IOException {
        List<Path> goldens;
        try (Stream<Path> files = Files.list(models.resolve("golden"))) {
            goldens = files.filter(p -> p.getFileName().toString().startsWith("c2c-")).sorted().toList();
        }
        assertTrue(!goldens.isEmpty(), "no golden/c2c-*.json in " + models);
        return goldens.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> check(file)));
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    private static void check(Path file) throws IOException {
        JsonNode g = new ObjectMapper().readTree(file.toFile());
        String prompt = g.get("prompt").asText();
        TokenEncoding r = rx.encode(prompt);
        TokenEncoding s = sx.encode(prompt);
        assertArrayEquals(longs(g.get("receiver_ids")), r.idsAsLongs(), "receiver ids");
        assertArrayEquals(longs(g.get("sharer_ids")), s.idsAsLongs(), "sharer ids");

        int prefix = r.size() - 1;
        AlignmentStrategy strategy = AlignmentStrategy.parse(g.get("alignment").asText());
        int[] aligned = Arrays.copyOf(TokenAligner.align(r, s, strategy), prefix);
        long[] expectedPositions = longs(g.get("sharer_positions"));
        assertArrayEquals(expectedPositions, Arrays.stream(aligned).asLongStream().toArray(), "aligned sharer positions");

        InProcessLink link = new InProcessLink(rx, sx, fuser, 32);
        float[] logits;
        try (KvCache receiverCache = rx.session().newCache(); KvCache sharerCache = sx.session().newCache()) {
            sx.session().prefill(sharerCache, s.idsAsLongs(), 32);
            rx.session().prefill(receiverCache, Arrays.copyOf(r.idsAsLongs(), prefix), 32);
            link.fuseInto(receiverCache, sharerCache, aligned, 0, prefix);
            logits = rx.session().decode(receiverCache, r.idsAsLongs()[prefix]);
        }
        JsonNode expected = g.get("last_logits");
        assertEquals(expected.size(), logits.length, "vocabulary size");
        double maxError = 0;
        for (int i = 0; i < logits.length; i++) {
            maxError = Math.max(maxError, Math.abs(logits[i] - expected.get(i).asDouble()));
        }
        assertTrue(maxError <= 1e-4, "fused last logits off by " + maxError);
        assertEquals(g.get("answer_text").asText().strip(), link.answer(prompt, LinkMode.C2C, 16).text(), "answer");
    }
}
