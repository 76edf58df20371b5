package io.latentlink.core.wire;

/**
 * Copies between per-layer caches ({@code key[l]} and {@code value[l]} as {@code [kvHeads, capacity, headSize]},
 * row-major, batch 1) and chunk tensors ({@code [layers, 2, kvHeads, tokens, headSize]}).
 */
public final class KvSlicer {

    private KvSlicer() {
    }

    /** Gathers the slice out of per-layer arrays whose token axis has length {@code capacity}. */
    public static float[] gather(float[][] keys, float[][] values, int capacity, KvSliceShape s) {
        float[] out = new float[s.elements()];
        int run = s.tokens() * s.headSize();
        int o = 0;
        for (int l = s.layerStart(); l < s.layerEnd(); l++) {
            for (float[] src : new float[][] {keys[l], values[l]}) {
                checkLength(src, s, capacity, l);
                for (int h = 0; h < s.kvHeads(); h++) {
                    System.arraycopy(src, (h * capacity + s.tokenStart()) * s.headSize(), out, o, run);
                    o += run;
                }
            }
        }
        return out;
    }

    /** Writes a chunk tensor into per-layer arrays whose token axis has length {@code capacity}. */
    public static void scatter(float[] chunk, KvSliceShape s, float[][] keys, float[][] values, int capacity) {
        if (chunk.length != s.elements()) {
            throw new WireException(WireException.Kind.MALFORMED,
                    "chunk holds " + chunk.length + " elements, shape needs " + s.elements());
        }
        int run = s.tokens() * s.headSize();
        int o = 0;
        for (int l = s.layerStart(); l < s.layerEnd(); l++) {
            for (float[] dst : new float[][] {keys[l], values[l]}) {
                checkLength(dst, s, capacity, l);
                for (int h = 0; h < s.kvHeads(); h++) {
                    System.arraycopy(chunk, o, dst, (h * capacity + s.tokenStart()) * s.headSize(), run);
                    o += run;
                }
            }
        }
    }

    private static void checkLength(float[] a, KvSliceShape s, int capacity, int layer) {
        if (s.tokenEnd() > capacity) {
            throw new WireException(WireException.Kind.MALFORMED,
                    "tokens up to " + s.tokenEnd() + " exceed capacity " + capacity);
        }
        if (a == null || a.length != s.kvHeads() * capacity * s.headSize()) {
            throw new WireException(WireException.Kind.MALFORMED, "layer " + layer + " array does not have shape ["
                    + s.kvHeads() + ", " + capacity + ", " + s.headSize() + "]");
        }
    }
}
