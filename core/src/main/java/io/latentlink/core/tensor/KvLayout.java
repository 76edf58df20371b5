package io.latentlink.core.tensor;

/**
 * Shape of a decoder's KV cache: {@code layers} layers, each holding K and V as fp32 tensors of shape
 * {@code [kvHeads, tokens, headDim]} (row-major: head, then token, then dimension).
 *
 * @param layers  number of decoder layers (&gt; 0)
 * @param kvHeads key/value heads per layer (&gt; 0)
 * @param headDim elements per head per token (&gt; 0)
 */
public record KvLayout(int layers, int kvHeads, int headDim) {
    public KvLayout {
        if (layers <= 0 || kvHeads <= 0 || headDim <= 0) {
            throw new IllegalArgumentException(
                    "KV layout needs positive layers, kvHeads and headDim, got " + layers + ", " + kvHeads + ", " + headDim);
        }
    }

    /** Floats of K (or of V) for one token of one layer: {@code kvHeads * headDim}. */
    public int floatsPerTokenPerTensor() {
        return kvHeads * headDim;
    }

    /** Bytes that one token costs across all layers, K and V: {@code layers * 2 * kvHeads * headDim * 4}. */
    public long bytesPerToken() {
        return (long) layers * 2 * kvHeads * headDim * DType.FLOAT32.byteSize();
    }

    /** Shape of one layer's K or V for {@code tokens} tokens, without the batch dimension. */
    public long[] tensorShape(int tokens) {
        return new long[] {kvHeads, tokens, headDim};
    }
}
