package io.latentlink.sender;

import io.latentlink.core.tensor.KvCache;
import io.latentlink.core.wire.KvBlock;
import io.latentlink.core.wire.KvGeometry;

/** Copies a token range of every layer out of a core KV cache into a wire block. */
final class OnnxBlocks {

    private OnnxBlocks() {
    }

    static KvBlock copy(KvCache cache, KvGeometry g, int from, int to) {
        float[][] keys = new float[g.layers()][];
        float[][] values = new float[g.layers()][];
        for (int l = 0; l < g.layers(); l++) {
            keys[l] = cache.keys(l, from, to).toArray();
            values[l] = cache.values(l, from, to).toArray();
        }
        return new KvBlock(g, from, to, keys, values);
    }
}
