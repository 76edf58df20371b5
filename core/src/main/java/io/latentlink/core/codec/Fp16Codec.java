package io.latentlink.core.codec;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;

/**
 * IEEE binary16, little-endian, 2 bytes per value, round to nearest even. Values beyond ±65504 become infinities,
 * which is why {@link #encode} refuses them rather than sending them silently (KV activations stay far below).
 */
final class Fp16Codec implements KvCodec {

    static final String ID = "fp16";
    private static final CodecSpec SPEC = CodecSpec.of(ID);
    private static final float MAX_FP16 = 65504f;
    /** Exponent bits of a binary16; all set means infinity or NaN. */
    private static final int EXPONENT_MASK = 0x7C00;

    @Override
    public CodecSpec spec() {
        return SPEC;
    }

    @Override
    public boolean lossless() {
        return false;
    }

    @Override
    public int encodedSize(KvBlockShape shape) {
        return shape.elements() * Short.BYTES;
    }

    @Override
    public int encode(FloatBuffer src, KvBlockShape shape, int headStride, ByteBuffer dst) {
        Blocks.checkFloats(src, shape, headStride, "source");
        int size = encodedSize(shape);
        ShortBuffer out = Blocks.destination(dst, size, SPEC, shape).asShortBuffer();
        int hd = shape.headDim();
        int tileRows = Blocks.rowsPerTile(hd);
        float[] x = new float[tileRows * hd];
        short[] half = new short[tileRows * hd];
        for (int h = 0; h < shape.heads(); h++) {
            for (int t0 = 0; t0 < shape.tokens(); t0 += tileRows) {
                int len = Math.min(tileRows, shape.tokens() - t0) * hd;
                src.get(src.position() + h * headStride + t0 * hd, x, 0, len);
                float absMax = 0f;
                for (int i = 0; i < len; i++) {
                    absMax = Math.max(absMax, Math.abs(x[i]));
                    half[i] = Float.floatToFloat16(x[i]);
                }
                if (!(absMax <= MAX_FP16)) {
                    throw new IllegalArgumentException("fp16 cannot carry value of magnitude " + absMax
                            + " in head " + h + " near token " + t0 + " of block " + shape);
                }
                out.put((h * shape.tokens() + t0) * hd, half, 0, len);
            }
        }
        dst.position(dst.position() + size);
        return size;
    }

    @Override
    public void decode(ByteBuffer src, KvBlockShape shape, FloatBuffer dst, int headStride) {
        Blocks.checkFloats(dst, shape, headStride, "destination");
        int size = encodedSize(shape);
        ShortBuffer in = Blocks.payload(src, size, SPEC, shape).asShortBuffer();
        int hd = shape.headDim();
        int tileRows = Blocks.rowsPerTile(hd);
        float[] x = new float[tileRows * hd];
        short[] half = new short[tileRows * hd];
        for (int h = 0; h < shape.heads(); h++) {
            for (int t0 = 0; t0 < shape.tokens(); t0 += tileRows) {
                int len = Math.min(tileRows, shape.tokens() - t0) * hd;
                in.get((h * shape.tokens() + t0) * hd, half, 0, len);
                int maxExponent = 0;
                for (int i = 0; i < len; i++) {
                    maxExponent = Math.max(maxExponent, half[i] & EXPONENT_MASK);
                    x[i] = Float.float16ToFloat(half[i]);
                }
                if (maxExponent == EXPONENT_MASK) {
                    throw new CorruptPayloadException("fp16 payload holds an infinity or NaN in head " + h
                            + " near token " + t0 + " of block " + shape + "; the encoder never writes one");
                }
                dst.put(dst.position() + h * headStride + t0 * hd, x, 0, len);
            }
        }
        src.position(src.limit());
    }

    @Override
    public String toString() {
        return SPEC.toString();
    }
}
