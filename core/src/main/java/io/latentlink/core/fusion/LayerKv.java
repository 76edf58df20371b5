package io.latentlink.core.fusion;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * One layer's K and V for a run of tokens, fp32, each laid out [heads, tokens, headDim] as the decoders produce them.
 * The buffers are read from position 0; their positions are never moved by this package.
 */
public record LayerKv(FloatBuffer key, FloatBuffer value, int heads, int tokens, int headDim) {

    public LayerKv {
        if (heads <= 0 || headDim <= 0 || tokens < 0) {
            throw new IllegalArgumentException("bad KV shape [heads=" + heads + ", tokens=" + tokens + ", headDim=" + headDim + "]");
        }
        long expected = (long) heads * tokens * headDim;
        if (key.limit() != expected || value.limit() != expected) {
            throw new IllegalArgumentException("KV buffer sizes key=" + key.limit() + " value=" + value.limit()
                    + " do not match shape [" + heads + ", " + tokens + ", " + headDim + "] = " + expected + " floats");
        }
    }

    public static LayerKv allocate(int heads, int tokens, int headDim) {
        return new LayerKv(direct(heads * tokens * headDim), direct(heads * tokens * headDim), heads, tokens, headDim);
    }

    static FloatBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(Math.multiplyExact(floats, Float.BYTES)).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    public long[] onnxShape() {
        return new long[] {1, heads, tokens, headDim};
    }
}
