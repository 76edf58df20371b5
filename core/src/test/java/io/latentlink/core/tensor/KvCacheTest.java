package io.latentlink.core.tensor;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KvCacheTest {
    private static final KvLayout LAYOUT = new KvLayout(3, 2, 4);

    /** A distinct value for every (tensor, layer, head, absolute token, dim), so misplaced floats show. */
    static float value(int kv, int layer, int head, int token, int dim) {
        return kv * 100000 + layer * 10000 + head * 1000 + token * 10 + dim;
    }

    /** Packed [heads, tokens, headDim] view of tokens [from, to) of the synthetic sequence. */
    static KvView tokens(int kv, int layer, int from, int to) {
        float[] a = new float[LAYOUT.kvHeads() * (to - from) * LAYOUT.headDim()];
        int i = 0;
        for (int h = 0; h < LAYOUT.kvHeads(); h++) {
            for (int t = from; t < to; t++) {
                for (int d = 0; d < LAYOUT.headDim(); d++) {
                    a[i++] = value(kv, layer, h, t, d);
                }
            }
        }
        return KvView.of(a, LAYOUT.kvHeads(), to - from, LAYOUT.headDim());
    }

    static void appendRange(KvCache c, int from, int to) {
        for (int l = 0; l < LAYOUT.layers(); l++) {
            c.append(l, tokens(0, l, from, to), tokens(1, l, from, to));
        }
    }

    static void assertHolds(KvCache c, int tokenCount) {
        assertEquals(tokenCount, c.tokens());
        for (int l = 0; l < LAYOUT.layers(); l++) {
            assertArrayEquals(tokens(0, l, 0, tokenCount).toArray(), c.keys(l).toArray(), "K of layer " + l);
            assertArrayEquals(tokens(1, l, 0, tokenCount).toArray(), c.values(l).toArray(), "V of layer " + l);
        }
    }

    @Test
    void appendsKeepPackedHeadMajorLayoutAcrossGrowth() {
        try (KvCache c = KvCache.allocate(LAYOUT, 2, 100)) {
            appendRange(c, 0, 3);     // grows past the initial capacity
            appendRange(c, 3, 4);     // decode-style single token
            appendRange(c, 4, 40);    // grows again
            assertHolds(c, 40);
            // Packed [heads, tokens, headDim]: head 1 starts right after head 0's 40 tokens.
            FloatBuffer raw = c.keys(2).contiguous();
            assertEquals(value(0, 2, 1, 0, 0), raw.get(40 * 4));
            assertEquals(value(0, 2, 0, 39, 3), raw.get(40 * 4 - 1));
        }
    }

    @Test
    void tokenSlicesAreStridedViewsAndCopyOnlyWhenMadeContiguous() {
        try (KvCache c = KvCache.allocate(LAYOUT, 16, 100)) {
            appendRange(c, 0, 10);
            KvView whole = c.keys(1);
            assertTrue(whole.isContiguous());
            KvView mid = c.keys(1, 3, 7);
            assertFalse(mid.isContiguous(), "a narrower token range of 2 heads is strided");
            assertEquals(10 * 4, mid.headStride());
            assertEquals(value(0, 1, 1, 5, 2), mid.get(1, 2, 2));
            assertArrayEquals(tokens(0, 1, 3, 7).toArray(), mid.toArray());
            assertArrayEquals(tokens(0, 1, 3, 7).toArray(), toArray(mid.contiguous()));
            assertArrayEquals(tokens(0, 1, 5, 6).toArray(), mid.tokens(2, 3).toArray(), "sub-view of a sub-view");
            FloatBuffer strided = mid.stridedBuffer();
            assertEquals(value(0, 1, 1, 6, 3), strided.get(mid.headStride() + 3 * 4 + 3), "last element, no copy");
            assertEquals(mid.headStride() + 4 * 4, strided.limit());
        }
    }

    @Test
    void layerSlicesAreViewsInCanonicalOrder() {
        try (KvCache c = KvCache.allocate(LAYOUT, 0, 100)) {
            appendRange(c, 0, 6);
            KvSlice s = c.slice(1, 3, 2, 5);
            assertEquals(2, s.layerCount());
            assertEquals(3, s.tokenCount());
            assertEquals(2L * 2 * 2 * 3 * 4 * Float.BYTES, s.byteSize());
            FloatBuffer flat = FloatBuffer.allocate((int) (s.byteSize() / Float.BYTES));
            s.copyTo(flat, 0);
            int per = 2 * 3 * 4;
            assertArrayEquals(tokens(0, 1, 2, 5).toArray(), range(flat, 0, per), "layer 1 K");
            assertArrayEquals(tokens(1, 1, 2, 5).toArray(), range(flat, per, per), "layer 1 V");
            assertArrayEquals(tokens(0, 2, 2, 5).toArray(), range(flat, 2 * per, per), "layer 2 K");
            assertArrayEquals(tokens(1, 2, 2, 5).toArray(), range(flat, 3 * per, per), "layer 2 V");
        }
    }

    @Test
    void replaceOverwritesATokenRangeOfOneLayerOnly() {
        try (KvCache c = KvCache.allocate(LAYOUT, 8, 100)) {
            appendRange(c, 0, 8);
            KvView before = c.keys(0, 0, 8);
            KvView fusedK = constant(3, -1f);
            KvView fusedV = constant(3, -2f);
            c.replace(0, 2, fusedK, fusedV);
            assertTrue(before.isLive(), "replace does not move memory, views stay valid");
            for (int h = 0; h < 2; h++) {
                for (int t = 0; t < 8; t++) {
                    boolean replaced = t >= 2 && t < 5;
                    assertEquals(replaced ? -1f : value(0, 0, h, t, 1), c.keys(0).get(h, t, 1));
                    assertEquals(replaced ? -2f : value(1, 0, h, t, 3), c.values(0).get(h, t, 3));
                }
            }
            assertArrayEquals(tokens(0, 1, 0, 8).toArray(), c.keys(1).toArray(), "other layers untouched");
            assertThrows(IndexOutOfBoundsException.class, () -> c.replace(0, 6, fusedK, fusedV));
        }
    }

    @Test
    void truncateDropsTailAndKeepsLayout() {
        try (KvCache c = KvCache.allocate(LAYOUT, 8, 100)) {
            appendRange(c, 0, 9);
            c.truncate(5);
            assertHolds(c, 5);
            appendRange(c, 5, 7);
            assertHolds(c, 7);
        }
    }

    @Test
    void rewriteSwapsInWholeLayersWrittenByAProducer() {
        long before = KvCache.totalBytesHeld();
        try (KvCache c = KvCache.allocate(LAYOUT, 8, 100)) {
            appendRange(c, 0, 5);
            long frontOnly = c.bytesHeld();
            KvView old = c.keys(0);
            // What ORT's present output is: old tokens then new ones, packed per layer.
            try (KvCache.Rewrite r = c.rewrite(3)) {
                assertEquals(8, r.newTokens());
                assertTrue(c.bytesHeld() > frontOnly, "the second buffers are accounted");
                for (int l = 0; l < LAYOUT.layers(); l++) {
                    tokens(0, l, 0, 8).copyTo(r.keys(l), 0);
                    tokens(1, l, 0, 8).copyTo(r.values(l), 0);
                }
                assertHolds(c, 5); // nothing visible before the commit
                assertTrue(old.isLive());
                r.commit();
                assertThrows(IllegalStateException.class, r::commit);
            }
            assertHolds(c, 8);
            assertFalse(old.isLive(), "views of the swapped-out buffers go stale");
            try (KvCache.Rewrite discarded = c.rewrite(2)) {
                discarded.keys(0).put(0, -7f);
            }
            assertHolds(c, 8);
            appendRange(c, 8, 30); // ordinary appends still work after swaps
            assertHolds(c, 30);
            KvCache.Rewrite stale = c.rewrite(1);
            appendRange(c, 30, 31);
            assertThrows(IllegalStateException.class, stale::commit, "the cache changed under the rewrite");
            assertThrows(IllegalStateException.class, () -> c.rewrite(100), "over maxTokens");
        }
        assertEquals(before, KvCache.totalBytesHeld());
    }

    @Test
    void raggedLayersAreVisiblePerLayer() {
        try (KvCache c = KvCache.allocate(LAYOUT, 8, 100)) {
            c.append(0, tokens(0, 0, 0, 4), tokens(1, 0, 0, 4));
            assertEquals(4, c.tokens(0));
            assertEquals(0, c.tokens(1));
            IllegalStateException e = assertThrows(IllegalStateException.class, c::tokens);
            assertTrue(e.getMessage().contains("different token counts"), e.getMessage());
        }
    }

    @Test
    void viewsGoStaleAfterAppendTruncateOrClose() {
        KvCache c = KvCache.allocate(LAYOUT, 8, 100);
        appendRange(c, 0, 4);
        KvView v = c.keys(0);
        appendRange(c, 4, 5);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> v.get(0, 0, 0));
        assertTrue(e.getMessage().contains("stale"), e.getMessage());
        KvView w = c.values(2, 1, 3);
        c.close();
        assertThrows(IllegalStateException.class, w::toArray);
        assertThrows(IllegalStateException.class, () -> c.keys(0));
    }

    @Test
    void shapeMismatchesAreRejectedWithTheShapes() {
        try (KvCache c = KvCache.allocate(LAYOUT, 8, 100)) {
            KvView wrongHeads = KvView.of(new float[3 * 2 * 4], 3, 2, 4);
            KvView ok = KvView.of(new float[2 * 2 * 4], 2, 2, 4);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.append(0, wrongHeads, ok));
            assertTrue(e.getMessage().contains("[3, 2, 4]"), e.getMessage());
            KvView wrongDim = KvView.of(new float[2 * 2 * 5], 2, 2, 5);
            assertThrows(IllegalArgumentException.class, () -> c.append(0, ok, wrongDim));
            KvView threeTokens = KvView.of(new float[2 * 3 * 4], 2, 3, 4);
            e = assertThrows(IllegalArgumentException.class, () -> c.append(0, ok, threeTokens));
            assertTrue(e.getMessage().contains("K has 2 tokens but V has 3"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> KvView.of(new float[7], 2, 2, 4));
            assertThrows(IndexOutOfBoundsException.class, () -> c.append(3, ok, ok));
            assertThrows(IllegalArgumentException.class,
                    () -> c.appendAll(List.of(ok), List.of(ok)), "one view per layer");
        }
    }

    @Test
    void dtypeAndByteCountMismatchesAreRejected() {
        ByteBuffer bytes = ByteBuffer.allocateDirect(2 * 2 * 4 * 4).order(ByteOrder.nativeOrder());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KvView.wrapBytes(bytes, DType.FLOAT16, 2, 2, 4));
        assertTrue(e.getMessage().contains("FLOAT16"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KvView.wrapBytes(bytes, DType.FLOAT32, 2, 3, 4));
        assertTrue(e.getMessage().contains("needs 96"), e.getMessage());
        bytes.asFloatBuffer().put(5, 42f);
        assertEquals(42f, KvView.wrapBytes(bytes, DType.FLOAT32, 2, 2, 4).get(0, 1, 1));
    }

    @Test
    void cannotGrowPastMaxTokens() {
        try (KvCache c = KvCache.allocate(LAYOUT, 0, 6)) {
            appendRange(c, 0, 6);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> c.append(0, tokens(0, 0, 6, 7), tokens(1, 0, 6, 7)));
            assertTrue(e.getMessage().contains("limit of 6"), e.getMessage());
            assertHolds(c, 6);
        }
    }

    @Test
    void memoryIsAccountedPerCacheAndProcessWideAndReturnsToZero() {
        long before = KvCache.totalBytesHeld();
        KvCache a = KvCache.allocate(LAYOUT, 10, 100);
        long perToken = LAYOUT.bytesPerToken();
        assertEquals(10 * perToken, a.bytesHeld());
        KvCache b = KvCache.allocate(LAYOUT, 0, 100);
        appendRange(b, 0, 20);
        assertTrue(b.bytesHeld() >= 20 * perToken, "holds at least its tokens");
        assertEquals(before + a.bytesHeld() + b.bytesHeld(), KvCache.totalBytesHeld());
        a.close();
        b.close();
        a.close(); // idempotent
        assertEquals(0, a.bytesHeld());
        assertEquals(0, b.bytesHeld());
        assertEquals(before, KvCache.totalBytesHeld());
    }

    @Test
    void thePeakFollowsAllocationsAndRestartsFromWhatIsHeld() {
        KvCache held = KvCache.allocate(LAYOUT, 10, 100);
        try {
            KvCache.resetPeakBytesHeld();
            long base = KvCache.totalBytesHeld();
            assertEquals(base, KvCache.peakBytesHeld());
            KvCache big = KvCache.allocate(LAYOUT, 50, 100);
            long top = KvCache.totalBytesHeld();
            big.close();
            assertEquals(base + 50 * LAYOUT.bytesPerToken(), top);
            assertEquals(top, KvCache.peakBytesHeld(), "the peak outlives the cache");
            assertEquals(base, KvCache.totalBytesHeld());
            KvCache.resetPeakBytesHeld();
            assertEquals(base, KvCache.peakBytesHeld(), "a reset forgets the closed cache");
        } finally {
            held.close();
        }
    }

    private static KvView constant(int tokenCount, float v) {
        float[] a = new float[2 * tokenCount * 4];
        java.util.Arrays.fill(a, v);
        return KvView.of(a, 2, tokenCount, 4);
    }

    private static float[] toArray(FloatBuffer b) {
        float[] a = new float[b.limit()];
        b.get(0, a);
        return a;
    }

    private static float[] range(FloatBuffer b, int from, int n) {
        float[] a = new float[n];
        b.get(from, a);
        return a;
    }
}
