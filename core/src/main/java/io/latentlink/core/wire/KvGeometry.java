package io.latentlink.core.wire;

/**
 * What a peer must know to read a model's KV chunks: the model's id and manifest hash, and its cache geometry.
 */
public record KvGeometry(String modelId, String manifestHash, int layers, int kvHeads, int headSize) {

    public KvGeometry {
        if (modelId == null || modelId.isBlank()) {
            throw new IllegalArgumentException("model id is required");
        }
        if (layers <= 0 || kvHeads <= 0 || headSize <= 0) {
            throw new IllegalArgumentException("bad geometry " + layers + "x" + kvHeads + "x" + headSize);
        }
        manifestHash = manifestHash == null ? "" : manifestHash;
    }

    /** Checks that a slice fits this model: same head geometry, layers in range. */
    public void check(KvSliceShape s) {
        if (s.kvHeads() != kvHeads || s.headSize() != headSize) {
            throw new WireException(WireException.Kind.MALFORMED, "chunk has " + s.kvHeads() + " heads of "
                    + s.headSize() + ", model " + modelId + " has " + kvHeads + " of " + headSize);
        }
        if (s.layerEnd() > layers) {
            throw new WireException(WireException.Kind.MALFORMED,
                    "chunk layers up to " + s.layerEnd() + ", model " + modelId + " has " + layers);
        }
    }

    /** Bytes of fp32 KV per token per layer (key and value). */
    public long bytesPerTokenLayer() {
        return 2L * kvHeads * headSize * Float.BYTES;
    }
}
