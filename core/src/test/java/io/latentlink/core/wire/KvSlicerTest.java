package io.latentlink.core.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KvSlicerTest {

    @Test
    void gatherThenScatterOfEveryPlannedChunkRebuildsTheCache() {
        int layers = 3, heads = 2, cap = 37, dim = 8;
        Random rnd = new Random(7);
        float[][] k = new float[layers][heads * cap * dim];
        float[][] v = new float[layers][heads * cap * dim];
        for (int l = 0; l < layers; l++) {
            for (int i = 0; i < k[l].length; i++) {
                k[l][i] = rnd.nextFloat();
                v[l][i] = rnd.nextFloat();
            }
        }
        float[][] k2 = new float[layers][heads * cap * dim];
        float[][] v2 = new float[layers][heads * cap * dim];
        for (KvSliceShape s : new ChunkPlanner(300).plan(List.of(0, 1, 2), 0, cap, heads, dim, 1)) {
            KvSlicer.scatter(KvSlicer.gather(k, v, cap, s), s, k2, v2, cap);
        }
        for (int l = 0; l < layers; l++) {
            assertArrayEquals(k[l], k2[l]);
            assertArrayEquals(v[l], v2[l]);
        }
    }

    @Test
    void gatherPutsKeysBeforeValuesHeadByHead() {
        // one layer, 1 head, capacity 3, dim 1: key = [0,1,2], value = [10,11,12]; slice tokens [1,3)
        float[][] k = {{0, 1, 2}};
        float[][] v = {{10, 11, 12}};
        float[] chunk = KvSlicer.gather(k, v, 3, new KvSliceShape(0, 1, 1, 3, 1, 1));
        assertArrayEquals(new float[] {1, 2, 11, 12}, chunk);
    }

    @Test
    void aChunkOfTheWrongSizeIsMalformed() {
        float[][] k = {{0, 1, 2}};
        float[][] v = {{0, 1, 2}};
        WireException e = assertThrows(WireException.class,
                () -> KvSlicer.scatter(new float[3], new KvSliceShape(0, 1, 0, 2, 1, 1), k, v, 3));
        assertEquals(WireException.Kind.MALFORMED, e.kind());
    }

    @Test
    void dimsThatDisagreeWithTheRangesAreMalformed() {
        WireException e = assertThrows(WireException.class,
                () -> KvSliceShape.fromDims(new int[] {2, 2, 4, 16, 32}, 0, 1, 0, 16));
        assertEquals(WireException.Kind.MALFORMED, e.kind());
    }
}
