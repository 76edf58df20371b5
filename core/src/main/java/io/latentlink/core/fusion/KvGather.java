package io.latentlink.core.fusion;

import java.nio.FloatBuffer;

/** Picks, for each receiver token, the sharer position the aligner chose, so the fuser sees one sharer row per receiver token. */
public final class KvGather {
    private KvGather() {
    }

    /**
     * @param sharer    sharer K/V over positions [0, sharer.tokens())
     * @param positions for each output token, the sharer position to copy (0 <= p < sharer.tokens())
     */
    public static LayerKv gather(LayerKv sharer, int[] positions) {
        for (int i = 0; i < positions.length; i++) {
            if (positions[i] < 0 || positions[i] >= sharer.tokens()) {
                throw new IllegalArgumentException("aligned sharer position " + positions[i] + " for receiver token " + i
                        + " is outside the sharer cache of " + sharer.tokens() + " tokens");
            }
        }
        LayerKv out = LayerKv.allocate(sharer.heads(), positions.length, sharer.headDim());
        copyRows(sharer.key(), out.key(), sharer, positions);
        copyRows(sharer.value(), out.value(), sharer, positions);
        return out;
    }

    private static void copyRows(FloatBuffer src, FloatBuffer dst, LayerKv shape, int[] positions) {
        int d = shape.headDim();
        int srcHeadStride = shape.tokens() * d;
        int dstHeadStride = positions.length * d;
        for (int h = 0; h < shape.heads(); h++) {
            for (int t = 0; t < positions.length; t++) {
                dst.put(h * dstHeadStride + t * d, src, h * srcHeadStride + positions[t] * d, d);
            }
        }
    }
}
