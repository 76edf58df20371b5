package io.latentlink.core.codec;

/**
 * Shape of one KV block: {@code [heads, tokens, headDim]} fp32 values of one layer's keys or values, row-major, a
 * "row" being the {@code headDim} values of one (head, token) pair.
 *
 * @param heads   number of KV heads, at least 1
 * @param tokens  number of token positions, at least 0
 * @param headDim values per head and token, at least 1
 */
public record KvBlockShape(int heads, int tokens, int headDim) {

    public KvBlockShape {
        if (heads < 1 || tokens < 0 || headDim < 1) {
            throw new IllegalArgumentException("invalid KV block shape [" + heads + ", " + tokens + ", " + headDim + "]");
        }
        if ((long) heads * tokens * headDim * Float.BYTES > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("KV block " + this + " exceeds 2 GiB as fp32; split it into chunks");
        }
    }

    /** Number of values, {@code heads * tokens * headDim}. */
    public int elements() {
        return heads * tokens * headDim;
    }

    /** Number of rows, {@code heads * tokens}. */
    public int rows() {
        return heads * tokens;
    }

    /** Size as raw fp32, in bytes. */
    public int fp32Bytes() {
        return elements() * Float.BYTES;
    }

    /** Floats between the starts of two heads when the block is stored contiguously. */
    public int contiguousHeadStride() {
        return tokens * headDim;
    }

    @Override
    public String toString() {
        return "[" + heads + ", " + tokens + ", " + headDim + "]";
    }
}
