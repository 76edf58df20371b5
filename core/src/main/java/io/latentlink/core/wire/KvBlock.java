package io.latentlink.core.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * The KV of token positions {@code [tokenStart, tokenEnd)} for some layers of one model, as a prefill step
 * produces it: per layer, key and value arrays of shape {@code [kvHeads, tokens, headSize]} (batch 1). Layers not
 * held are {@code null}.
 */
public record KvBlock(KvGeometry geometry, int tokenStart, int tokenEnd, float[][] keys, float[][] values) {

    public KvBlock {
        if (tokenStart < 0 || tokenEnd <= tokenStart) {
            throw new IllegalArgumentException("bad token range [" + tokenStart + ", " + tokenEnd + ")");
        }
        if (keys.length != geometry.layers() || values.length != geometry.layers()) {
            throw new IllegalArgumentException("expected " + geometry.layers() + " layers");
        }
        int n = geometry.kvHeads() * (tokenEnd - tokenStart) * geometry.headSize();
        for (int l = 0; l < keys.length; l++) {
            if ((keys[l] == null) != (values[l] == null)) {
                throw new IllegalArgumentException("layer " + l + " has only one of key and value");
            }
            if (keys[l] != null && (keys[l].length != n || values[l].length != n)) {
                throw new IllegalArgumentException("layer " + l + " arrays are not [kvHeads, tokens, headSize]");
            }
        }
    }

    public int tokens() {
        return tokenEnd - tokenStart;
    }

    /** Sorted indices of the layers this block holds. */
    public List<Integer> layers() {
        List<Integer> out = new ArrayList<>();
        for (int l = 0; l < keys.length; l++) {
            if (keys[l] != null) {
                out.add(l);
            }
        }
        return out;
    }

    public long bytes() {
        return (long) layers().size() * tokens() * geometry.bytesPerTokenLayer();
    }

    /** The chunk tensor for a slice of this block (absolute token positions). */
    public float[] gather(KvSliceShape s) {
        if (s.tokenStart() < tokenStart || s.tokenEnd() > tokenEnd) {
            throw new IllegalArgumentException("slice " + s + " outside block [" + tokenStart + ", " + tokenEnd + ")");
        }
        KvSliceShape relative = new KvSliceShape(s.layerStart(), s.layerEnd(), s.tokenStart() - tokenStart,
                s.tokenEnd() - tokenStart, s.kvHeads(), s.headSize());
        return KvSlicer.gather(keys, values, tokens(), relative);
    }
}
