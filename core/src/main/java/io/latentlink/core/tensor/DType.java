package io.latentlink.core.tensor;

/** Element types that can appear in a KV tensor on the wire or in a model graph. */
public enum DType {
    FLOAT32(4), FLOAT16(2), BFLOAT16(2), INT8(1), INT32(4), INT64(8);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }
}
