package io.latentlink.transport;

import io.latentlink.core.wire.WireException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The codecs a node can speak, by id. The two reference codecs (raw little-endian fp32 and fp16) live here until
 * core's codec registry is merged; then {@link #lookup} delegates to it.
 */
public final class PayloadCodecs {

    public static final String FP32 = "fp32";
    public static final String FP16 = "fp16";

    private static final Map<String, PayloadCodec> CODECS = Map.of(FP32, new Fp32(), FP16, new Fp16());

    private PayloadCodecs() {
    }

    public static PayloadCodec lookup(String id, Map<String, String> params) {
        PayloadCodec codec = CODECS.get(id);
        if (codec == null) {
            throw new WireException(WireException.Kind.UNSUPPORTED_CODEC,
                    "unknown codec '" + id + "'; this node speaks " + ids());
        }
        if (params != null && !params.isEmpty()) {
            throw new WireException(WireException.Kind.UNSUPPORTED_CODEC,
                    "codec '" + id + "' takes no parameters, got " + params.keySet());
        }
        return codec;
    }

    public static Set<String> ids() {
        return new TreeSet<>(CODECS.keySet());
    }

    private static void checkSize(ByteBuffer payload, int elements, int width, String id) {
        if ((long) elements * width != payload.remaining()) {
            throw new WireException(WireException.Kind.CORRUPT, id + " payload has " + payload.remaining()
                    + " bytes, " + elements + " elements need " + (long) elements * width);
        }
    }

    private static final class Fp32 implements PayloadCodec {
        @Override
        public String id() {
            return FP32;
        }

        @Override
        public double bytesPerElement() {
            return 4;
        }

        @Override
        public byte[] encode(float[] values) {
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            return b.array();
        }

        @Override
        public float[] decode(ByteBuffer payload, int elements) {
            checkSize(payload, elements, 4, FP32);
            float[] out = new float[elements];
            payload.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }
    }

    private static final class Fp16 implements PayloadCodec {
        @Override
        public String id() {
            return FP16;
        }

        @Override
        public double bytesPerElement() {
            return 2;
        }

        @Override
        public byte[] encode(float[] values) {
            ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                b.putShort(Float.floatToFloat16(v));
            }
            return b.array();
        }

        @Override
        public float[] decode(ByteBuffer payload, int elements) {
            checkSize(payload, elements, 2, FP16);
            ByteBuffer b = payload.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[elements];
            for (int i = 0; i < elements; i++) {
                out[i] = Float.float16ToFloat(b.getShort());
            }
            return out;
        }
    }
}
