package io.latentlink.core.tensor;

import java.nio.FloatBuffer;
import java.util.List;

/**
 * Zero-copy views of the K and V tensors of a layer range {@code [layerStart, layerStart + layerCount())} over a
 * token range {@code [tokenStart, tokenEnd)} of a {@link KvCache}. This is the unit a sender ships as one chunk.
 *
 * @param layerStart first cache layer in the slice
 * @param tokenStart first token (inclusive)
 * @param tokenEnd   last token (exclusive)
 * @param keys       one view per layer, in layer order
 * @param values     one view per layer, in layer order
 */
public record KvSlice(int layerStart, int tokenStart, int tokenEnd, List<KvView> keys, List<KvView> values) {
    public KvSlice {
        keys = List.copyOf(keys);
        values = List.copyOf(values);
        if (keys.size() != values.size()) {
            throw new IllegalArgumentException("slice has " + keys.size() + " key views but " + values.size()
                    + " value views");
        }
    }

    public int layerCount() {
        return keys.size();
    }

    public int tokenCount() {
        return tokenEnd - tokenStart;
    }

    /** Bytes of content (K and V, fp32) across the slice's layers. */
    public long byteSize() {
        long total = 0;
        for (int i = 0; i < keys.size(); i++) {
            total += keys.get(i).byteSize() + values.get(i).byteSize();
        }
        return total;
    }

    /**
     * Copies the slice into {@code dst} from index {@code dstIndex} in the canonical packed order: for each layer,
     * K {@code [heads, tokens, headDim]} then V {@code [heads, tokens, headDim]}.
     */
    public void copyTo(FloatBuffer dst, int dstIndex) {
        int at = dstIndex;
        for (int i = 0; i < keys.size(); i++) {
            keys.get(i).copyTo(dst, at);
            at += (int) keys.get(i).elementCount();
            values.get(i).copyTo(dst, at);
            at += (int) values.get(i).elementCount();
        }
    }
}
