package io.latentlink.core.fusion;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FuserRunnerTest {
    // Shapes and weights of fixtures/fuser-tiny, made by fixtures/make_tiny_fuser.py.
    static final int RX_HEADS = 2, RX_DIM = 4, SX_HEADS = 3, SX_DIM = 2;

    static Path tinyFuser() throws URISyntaxException {
        return Path.of(FuserRunnerTest.class.getResource("/fixtures/fuser-tiny/fuser.json").toURI()).getParent();
    }

    static float weight(int layer, int i, int j) {
        return (((i * 7 + j * 3 + layer) % 11) - 5) / 10f;
    }

    static LayerKv random(Random rnd, int heads, int tokens, int dim) {
        LayerKv kv = LayerKv.allocate(heads, tokens, dim);
        for (int i = 0; i < kv.key().limit(); i++) {
            kv.key().put(i, (float) rnd.nextGaussian());
            kv.value().put(i, (float) rnd.nextGaussian());
        }
        return kv;
    }

    /** What the fixture graph computes: receiver + reshape(flatten_heads(sharer) @ W). */
    static float expected(LayerKv rx, LayerKv sx, boolean key, int layer, int h, int t, int d) {
        float acc = key ? rx.key().get((h * rx.tokens() + t) * RX_DIM + d) : rx.value().get((h * rx.tokens() + t) * RX_DIM + d);
        int j = h * RX_DIM + d;
        for (int sh = 0; sh < SX_HEADS; sh++) {
            for (int sd = 0; sd < SX_DIM; sd++) {
                int idx = (sh * sx.tokens() + t) * SX_DIM + sd;
                float s = key ? sx.key().get(idx) : sx.value().get(idx);
                acc += s * weight(key ? layer : layer + 1, sh * SX_DIM + sd, j);
            }
        }
        return acc;
    }

    @Test
    void fusesOpenLayersExactlyAsTheGraphDefines() throws Exception {
        try (FuserRunner runner = FuserRunner.load(tinyFuser())) {
            assertArrayEquals(new int[] {1, 2}, runner.fusedLayers());
            assertEquals(3, runner.sharerLayer(2));
            Random rnd = new Random(7);
            LayerKv rx = random(rnd, RX_HEADS, 5, RX_DIM);
            LayerKv sx = random(rnd, SX_HEADS, 5, SX_DIM);
            LayerKv fused = runner.fuse(2, rx, sx);
            for (int h = 0; h < RX_HEADS; h++) {
                for (int t = 0; t < 5; t++) {
                    for (int d = 0; d < RX_DIM; d++) {
                        int idx = (h * 5 + t) * RX_DIM + d;
                        assertEquals(expected(rx, sx, true, 2, h, t, d), fused.key().get(idx), 1e-5);
                        assertEquals(expected(rx, sx, false, 2, h, t, d), fused.value().get(idx), 1e-5);
                    }
                }
            }
        }
    }

    @Test
    void fusingChunkByChunkEqualsFusingAllAtOnce() throws Exception {
        try (FuserRunner runner = FuserRunner.load(tinyFuser())) {
            Random rnd = new Random(11);
            LayerKv rx = random(rnd, RX_HEADS, 6, RX_DIM);
            LayerKv sx = random(rnd, SX_HEADS, 6, SX_DIM);
            LayerKv whole = runner.fuse(1, rx, sx);
            LayerKv first = runner.fuse(1, KvGather.gather(rx, new int[] {0, 1, 2}), KvGather.gather(sx, new int[] {0, 1, 2}));
            LayerKv second = runner.fuse(1, KvGather.gather(rx, new int[] {3, 4, 5}), KvGather.gather(sx, new int[] {3, 4, 5}));
            for (int h = 0; h < RX_HEADS; h++) {
                for (int t = 0; t < 6; t++) {
                    LayerKv part = t < 3 ? first : second;
                    for (int d = 0; d < RX_DIM; d++) {
                        assertEquals(whole.key().get((h * 6 + t) * RX_DIM + d), part.key().get((h * 3 + t % 3) * RX_DIM + d), 1e-6);
                    }
                }
            }
        }
    }

    @Test
    void closedOrUnknownLayersAreRefused() throws Exception {
        try (FuserRunner runner = FuserRunner.load(tinyFuser())) {
            LayerKv rx = LayerKv.allocate(RX_HEADS, 1, RX_DIM);
            LayerKv sx = LayerKv.allocate(SX_HEADS, 1, SX_DIM);
            assertTrue(assertThrows(FuserException.class, () -> runner.fuse(0, rx, sx)).getMessage().contains("not fused"));
            assertThrows(FuserException.class, () -> runner.fuse(7, rx, sx));
        }
    }

    @Test
    void wrongShapesAreRefusedWithTheExpectedLayout() throws Exception {
        try (FuserRunner runner = FuserRunner.load(tinyFuser())) {
            FuserException heads = assertThrows(FuserException.class,
                    () -> runner.fuse(1, LayerKv.allocate(3, 2, RX_DIM), LayerKv.allocate(SX_HEADS, 2, SX_DIM)));
            assertTrue(heads.getMessage().contains("fuser expects [2, 4]"), heads.getMessage());
            FuserException tokens = assertThrows(FuserException.class,
                    () -> runner.fuse(1, LayerKv.allocate(RX_HEADS, 2, RX_DIM), LayerKv.allocate(SX_HEADS, 3, SX_DIM)));
            assertTrue(tokens.getMessage().contains("2 receiver positions but 3"), tokens.getMessage());
        }
    }

    @Test
    void refusesModelsItWasNotTrainedFor() throws Exception {
        try (FuserRunner runner = FuserRunner.load(tinyFuser())) {
            runner.requireModels("tiny-rx", "a".repeat(64), "tiny-sx", "B".repeat(64));
            FuserException id = assertThrows(FuserException.class,
                    () -> runner.requireModels("other", "a".repeat(64), "tiny-sx", "b".repeat(64)));
            assertTrue(id.getMessage().contains("'tiny-rx', not 'other'"), id.getMessage());
            FuserException sha = assertThrows(FuserException.class,
                    () -> runner.requireModels("tiny-rx", "a".repeat(64), "tiny-sx", "c".repeat(64)));
            assertTrue(sha.getMessage().contains("sha256"), sha.getMessage());
        }
    }

    @Test
    void missingGraphFileIsReported(@TempDir Path dir) throws Exception {
        Files.copy(tinyFuser().resolve("fuser.json"), dir.resolve("fuser.json"));
        Files.copy(tinyFuser().resolve("layer_1.onnx"), dir.resolve("layer_1.onnx"));
        FuserException e = assertThrows(FuserException.class, () -> FuserRunner.load(dir));
        assertTrue(e.getMessage().contains("layer 2 is missing"), e.getMessage());
    }

    @Test
    void gatherPicksAlignedRowsPerHead() {
        LayerKv sx = LayerKv.allocate(2, 4, 1);
        for (int i = 0; i < 8; i++) {
            sx.key().put(i, i);
            sx.value().put(i, -i);
        }
        LayerKv picked = KvGather.gather(sx, new int[] {3, 3, 0});
        assertArrayEquals(new float[] {3, 3, 0, 7, 7, 4}, toArray(picked.key()));
        assertArrayEquals(new float[] {-3, -3, 0, -7, -7, -4}, toArray(picked.value()));
        assertThrows(IllegalArgumentException.class, () -> KvGather.gather(sx, new int[] {4}));
    }

    static float[] toArray(java.nio.FloatBuffer b) {
        float[] a = new float[b.limit()];
        b.get(0, a);
        return a;
    }

    @Test
    void emptyRunFusesToEmpty() throws IOException, URISyntaxException {
        try (FuserRunner runner = FuserRunner.load(tinyFuser())) {
            assertEquals(0, runner.fuse(1, LayerKv.allocate(RX_HEADS, 0, RX_DIM), LayerKv.allocate(SX_HEADS, 0, SX_DIM)).tokens());
        }
    }
}
