package io.latentlink.core.wire;

/**
 * Which part of a KV cache a chunk holds: layers {@code [layerStart, layerEnd)} and token positions
 * {@code [tokenStart, tokenEnd)}, for a model with {@code kvHeads} heads of {@code headSize}.
 */
public record KvSliceShape(int layerStart, int layerEnd, int tokenStart, int tokenEnd, int kvHeads, int headSize) {

    public KvSliceShape {
        if (layerStart < 0 || layerEnd <= layerStart) {
            throw new WireException(WireException.Kind.MALFORMED, "bad layer range [" + layerStart + ", " + layerEnd + ")");
        }
        if (tokenStart < 0 || tokenEnd <= tokenStart) {
            throw new WireException(WireException.Kind.MALFORMED, "bad token range [" + tokenStart + ", " + tokenEnd + ")");
        }
        if (kvHeads <= 0 || headSize <= 0) {
            throw new WireException(WireException.Kind.MALFORMED, "bad head geometry " + kvHeads + "x" + headSize);
        }
        if ((long) (layerEnd - layerStart) * 2 * kvHeads * (tokenEnd - tokenStart) * headSize > Integer.MAX_VALUE) {
            throw new WireException(WireException.Kind.TOO_LARGE, "slice too large for one array");
        }
    }

    /** Rebuilds a shape from a header's dims {@code [layers, 2, kvHeads, tokens, headSize]} and ranges, checking they agree. */
    public static KvSliceShape fromDims(int[] dims, int layerStart, int layerEnd, int tokenStart, int tokenEnd) {
        if (dims.length != 5 || dims[1] != 2) {
            throw new WireException(WireException.Kind.MALFORMED,
                    "shape must be [layers, 2, kv_heads, tokens, head_size], got " + java.util.Arrays.toString(dims));
        }
        if (dims[0] != layerEnd - layerStart || dims[3] != tokenEnd - tokenStart) {
            throw new WireException(WireException.Kind.MALFORMED, "shape " + java.util.Arrays.toString(dims)
                    + " disagrees with layers [" + layerStart + ", " + layerEnd + ") and tokens [" + tokenStart + ", " + tokenEnd + ")");
        }
        return new KvSliceShape(layerStart, layerEnd, tokenStart, tokenEnd, dims[2], dims[4]);
    }

    public int layers() {
        return layerEnd - layerStart;
    }

    public int tokens() {
        return tokenEnd - tokenStart;
    }

    public int elements() {
        return layers() * 2 * kvHeads * tokens() * headSize;
    }

    public int[] dims() {
        return new int[] {layers(), 2, kvHeads, tokens(), headSize};
    }
}
