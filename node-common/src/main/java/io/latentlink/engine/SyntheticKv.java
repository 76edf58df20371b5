package io.latentlink.engine;

import io.latentlink.core.wire.KvBlock;
import io.latentlink.core.wire.KvGeometry;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Deterministic stand-in KV for exercising the transport without model weights: the value at (layer, head, token,
 * dim) is a fixed function of those indices and the token id, with the model's real geometry. Used by the synthetic
 * engines, which are selected explicitly by configuration ({@code latentlink.engine=synthetic}) and never pose as
 * a model.
 */
public final class SyntheticKv {

    private SyntheticKv() {
    }

    /** "Tokenizes" text into one id per UTF-8 byte, as a byte-level tokenizer would. */
    public static int[] tokenize(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            ids[i] = b[i] & 0xff;
        }
        return ids;
    }

    public static float value(int layer, int kv, int head, int token, int dim, int tokenId) {
        int h = layer * 0x9E3779B1 ^ kv * 0x85EBCA77 ^ head * 0xC2B2AE3D ^ token * 0x27D4EB2F ^ dim * 0x165667B1
                ^ tokenId * 0x61C88647;
        h ^= h >>> 15;
        h *= 0x2C1B3C6D;
        h ^= h >>> 12;
        return (h & 0xffff) / 65536f - 0.5f;
    }

    /** The block for positions [start, end) of the given ids, holding only {@code layers}. */
    public static KvBlock block(KvGeometry g, int[] ids, int start, int end, List<Integer> layers) {
        int t = end - start;
        float[][] keys = new float[g.layers()][];
        float[][] values = new float[g.layers()][];
        for (int l : layers) {
            float[] k = new float[g.kvHeads() * t * g.headSize()];
            float[] v = new float[k.length];
            int i = 0;
            for (int h = 0; h < g.kvHeads(); h++) {
                for (int p = start; p < end; p++) {
                    for (int d = 0; d < g.headSize(); d++, i++) {
                        k[i] = value(l, 0, h, p, d, ids[p]);
                        v[i] = value(l, 1, h, p, d, ids[p]);
                    }
                }
            }
            keys[l] = k;
            values[l] = v;
        }
        return new KvBlock(g, start, end, keys, values);
    }
}
