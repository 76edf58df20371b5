package io.latentlink.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkPlannerTest {

    @Test
    void everyChunkFitsTheBudgetAndTheChunksTileTheBlockExactlyOnce() {
        ChunkPlanner planner = new ChunkPlanner(64 * 1024);
        List<Integer> layers = List.of(0, 1, 2, 5, 6);
        int kvHeads = 4;
        int headSize = 64;
        List<KvSliceShape> plan = planner.plan(layers, 10, 600, kvHeads, headSize, 4);
        boolean[][] covered = new boolean[7][600];
        for (KvSliceShape s : plan) {
            assertTrue(s.elements() * 4L <= 64 * 1024, "chunk " + s + " over budget");
            for (int l = s.layerStart(); l < s.layerEnd(); l++) {
                assertTrue(layers.contains(l), "chunk covers unrequested layer " + l);
                for (int t = s.tokenStart(); t < s.tokenEnd(); t++) {
                    assertTrue(!covered[l][t], "covered twice: layer " + l + " token " + t);
                    covered[l][t] = true;
                }
            }
        }
        for (int l : layers) {
            for (int t = 10; t < 600; t++) {
                assertTrue(covered[l][t], "missing layer " + l + " token " + t);
            }
        }
    }

    @Test
    void smallBlocksGroupLayersIntoOneChunk() {
        List<KvSliceShape> plan = new ChunkPlanner(1 << 20).plan(List.of(0, 1, 2, 3), 0, 8, 2, 32, 4);
        assertEquals(List.of(new KvSliceShape(0, 4, 0, 8, 2, 32)), plan);
    }

    @Test
    void aTokenThatCannotFitIsRefused() {
        WireException e = assertThrows(WireException.class,
                () -> new ChunkPlanner(100).plan(List.of(0), 0, 4, 2, 32, 4));
        assertEquals(WireException.Kind.TOO_LARGE, e.kind());
    }
}
