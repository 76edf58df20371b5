package io.latentlink.core.codec;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Locale;

/**
 * Symmetric absmax int8 quantisation: {@code q = round(x / scale)} (ties to even) in {@code [-127, 127]}, {@code x' = q * scale},
 * {@code scale = absmax / 127} over one group of values, so each value is off by at most {@code scale / 2}.
 *
 * <p>Payload (little-endian): the scales, then the int8 values in block order {@code [heads, tokens, headDim]}.
 * <ul>
 *   <li>{@link ScaleLayout#PER_TOKEN}: one scale per (head, token) row, absmax over {@code headDim}; scales in
 *       {@code [heads, tokens]} order. Size {@code elements + scaleBytes * heads * tokens}.</li>
 *   <li>{@link ScaleLayout#PER_CHANNEL}: one scale per (head, channel), absmax over the block's tokens; scales in
 *       {@code [heads, headDim]} order. Size {@code elements + scaleBytes * heads * headDim} (no scales for zero
 *       tokens).</li>
 *   <li>{@link ScaleType}: scales as fp32 (4 bytes) or fp16 (2 bytes). An fp16 scale is {@code absmax / 127}
 *       rounded <em>up</em> to the next binary16, so no value leaves {@code [-127, 127]} and the step grows by at most
 *       2^-10 (the error bound {@code scale / 2} holds with the stored scale).</li>
 * </ul>
 * Groups whose absmax is below {@value #TINY} (including all-zero ones) get scale 0 and decode to zeros.
 * Non-finite input is refused: int8 cannot carry it; so are values whose fp16 scale would overflow (|x| above
 * {@code 65504 * 127}).
 */
final class Int8Codec implements KvCodec {

    static final String ID = "int8";
    static final String SCALES_PARAM = "scales";
    static final String SCALE_TYPE_PARAM = "scale_type";
    /** Below this absmax a group is all zeros; it keeps {@code 127 / absmax} finite. */
    static final float TINY = 1e-30f;
    /**
     * 1.5 * 2^23: {@code (v + ROUNDER) - ROUNDER} rounds {@code |v| < 2^22} to the nearest integer, ties to even.
     * Unlike {@link Math#round(float)} the JIT vectorises it (about 9x faster here), and Java's strict float
     * semantics make it exact.
     */
    private static final float ROUNDER = 12582912f;

    /** Which values share one scale. */
    enum ScaleLayout {
        PER_TOKEN, PER_CHANNEL;

        String paramValue() {
            return name().toLowerCase(Locale.ROOT);
        }

        static ScaleLayout fromParam(String value) {
            for (ScaleLayout l : values()) {
                if (l.paramValue().equals(value)) {
                    return l;
                }
            }
            throw new IllegalArgumentException("int8 parameter scales='" + value
                    + "' is not one of per_token, per_channel");
        }
    }

    /** How a scale is stored. */
    enum ScaleType {
        FP32(Float.BYTES), FP16(Short.BYTES);

        private static final int FP16_SIGN = 0x8000;
        private static final int FP16_EXPONENT = 0x7C00;

        final int bytes;

        ScaleType(int bytes) {
            this.bytes = bytes;
        }

        String paramValue() {
            return name().toLowerCase(Locale.ROOT);
        }

        static ScaleType fromParam(String value) {
            for (ScaleType t : values()) {
                if (t.paramValue().equals(value)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("int8 parameter scale_type='" + value + "' is not one of fp32, fp16");
        }

        /**
         * Stores the scale of a group with this absmax at scale index {@code index} of {@code out} and returns the
         * multiplier {@code 1 / scale} that quantises the group (0 for an all-zero group).
         */
        float put(ByteBuffer out, int index, float absMax) {
            if (!(absMax >= TINY)) {
                if (this == FP32) {
                    out.putFloat(index * Float.BYTES, 0f);
                } else {
                    out.putShort(index * Short.BYTES, (short) 0);
                }
                return 0f;
            }
            if (this == FP32) {
                out.putFloat(index * Float.BYTES, absMax / 127f);
                return 127f / absMax;
            }
            float scale = absMax / 127f;
            short half = Float.floatToFloat16(scale);
            if (Float.float16ToFloat(half) < scale) {
                half++; // the next binary16 up: positive halves order like their bits
            }
            if ((half & FP16_EXPONENT) == FP16_EXPONENT) {
                throw new IllegalArgumentException("int8 with fp16 scales cannot carry |x| = " + absMax
                        + " (scale above 65504)");
            }
            out.putShort(index * Short.BYTES, half);
            return 1f / Float.float16ToFloat(half);
        }

        /** Reads {@code count} scales; a scale no encoder writes (negative, infinite, NaN) means damaged bytes. */
        float[] read(ByteBuffer in, int count, KvBlockShape shape) {
            float[] scales = new float[count];
            if (this == FP32) {
                in.asFloatBuffer().get(0, scales, 0, count);
                for (int i = 0; i < count; i++) {
                    if (!(scales[i] >= 0f && scales[i] <= Float.MAX_VALUE)) {
                        throw badScale(shape, scales[i], i);
                    }
                }
            } else {
                for (int i = 0; i < count; i++) {
                    short half = in.getShort(i * Short.BYTES);
                    if ((half & FP16_SIGN) != 0 || (half & FP16_EXPONENT) == FP16_EXPONENT) {
                        throw badScale(shape, Float.float16ToFloat(half), i);
                    }
                    scales[i] = Float.float16ToFloat(half);
                }
            }
            return scales;
        }

        private static CorruptPayloadException badScale(KvBlockShape shape, float scale, int index) {
            return new CorruptPayloadException("int8 payload for block " + shape + " has invalid scale "
                    + scale + " at index " + index);
        }
    }

    private final ScaleLayout layout;
    private final ScaleType scaleType;
    private final CodecSpec spec;

    Int8Codec(ScaleLayout layout, ScaleType scaleType) {
        this.layout = layout;
        this.scaleType = scaleType;
        this.spec = new CodecSpec(ID, java.util.Map.of(SCALES_PARAM, layout.paramValue(),
                SCALE_TYPE_PARAM, scaleType.paramValue()));
    }

    ScaleLayout layout() {
        return layout;
    }

    ScaleType scaleType() {
        return scaleType;
    }

    @Override
    public CodecSpec spec() {
        return spec;
    }

    @Override
    public boolean lossless() {
        return false;
    }

    private int scaleCount(KvBlockShape shape) {
        if (shape.tokens() == 0) {
            return 0;
        }
        return layout == ScaleLayout.PER_TOKEN ? shape.rows() : shape.heads() * shape.headDim();
    }

    @Override
    public int encodedSize(KvBlockShape shape) {
        long size = (long) scaleCount(shape) * scaleType.bytes + shape.elements();
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("int8 encoding of block " + shape + " exceeds 2 GiB");
        }
        return (int) size;
    }

    @Override
    public int encode(FloatBuffer src, KvBlockShape shape, int headStride, ByteBuffer dst) {
        Blocks.checkFloats(src, shape, headStride, "source");
        int size = encodedSize(shape);
        ByteBuffer out = Blocks.destination(dst, size, spec, shape);
        if (layout == ScaleLayout.PER_TOKEN) {
            encodePerToken(src, shape, headStride, scaleType, out);
        } else {
            encodePerChannel(src, shape, headStride, scaleType, out);
        }
        dst.position(dst.position() + size);
        return size;
    }

    @Override
    public void decode(ByteBuffer src, KvBlockShape shape, FloatBuffer dst, int headStride) {
        Blocks.checkFloats(dst, shape, headStride, "destination");
        int size = encodedSize(shape);
        ByteBuffer in = Blocks.payload(src, size, spec, shape);
        float[] scales = scaleType.read(in, scaleCount(shape), shape);
        int valuesAt = scales.length * scaleType.bytes;
        if (layout == ScaleLayout.PER_TOKEN) {
            decodePerToken(in, valuesAt, scales, shape, dst, headStride);
        } else {
            decodePerChannel(in, valuesAt, scales, shape, dst, headStride);
        }
        src.position(src.limit());
    }

    private static void encodePerToken(FloatBuffer src, KvBlockShape shape, int headStride, ScaleType scaleType,
                                       ByteBuffer out) {
        int hd = shape.headDim();
        int tokens = shape.tokens();
        int tileRows = Blocks.rowsPerTile(hd);
        float[] x = new float[tileRows * hd];
        byte[] q = new byte[tileRows * hd];
        int valuesAt = shape.rows() * scaleType.bytes;
        for (int h = 0; h < shape.heads(); h++) {
            for (int t0 = 0; t0 < tokens; t0 += tileRows) {
                int rows = Math.min(tileRows, tokens - t0);
                src.get(src.position() + h * headStride + t0 * hd, x, 0, rows * hd);
                for (int r = 0; r < rows; r++) {
                    int off = r * hd;
                    float absMax = rowAbsMax(x, off, hd);
                    if (!(absMax <= Float.MAX_VALUE)) {
                        throw nonFinite(shape, h, t0 + r);
                    }
                    float inv = scaleType.put(out, h * tokens + t0 + r, absMax);
                    quantizeRow(x, off, hd, inv, q);
                }
                out.put(valuesAt + (h * tokens + t0) * hd, q, 0, rows * hd);
            }
        }
    }

    private static void encodePerChannel(FloatBuffer src, KvBlockShape shape, int headStride, ScaleType scaleType,
                                         ByteBuffer out) {
        int hd = shape.headDim();
        int tokens = shape.tokens();
        if (tokens == 0) {
            return;
        }
        int tileRows = Blocks.rowsPerTile(hd);
        float[] x = new float[tileRows * hd];
        byte[] q = new byte[tileRows * hd];
        // |x| as raw bits: non-negative floats order like their bits, and an int[] beside the float[] lets the JIT
        // vectorise the running max (two float[] might alias, so it would not).
        int[] absMaxBits = new int[hd];
        float[] inv = new float[hd];
        int valuesAt = shape.heads() * hd * scaleType.bytes;
        for (int h = 0; h < shape.heads(); h++) {
            int headAt = src.position() + h * headStride;
            java.util.Arrays.fill(absMaxBits, 0);
            for (int t0 = 0; t0 < tokens; t0 += tileRows) {
                int rows = Math.min(tileRows, tokens - t0);
                src.get(headAt + t0 * hd, x, 0, rows * hd);
                channelAbsMaxBits(x, rows, hd, absMaxBits);
            }
            for (int d = 0; d < hd; d++) {
                float absMax = Float.intBitsToFloat(absMaxBits[d]);
                if (!(absMax <= Float.MAX_VALUE)) {
                    throw nonFinite(shape, h, -1);
                }
                inv[d] = scaleType.put(out, h * hd + d, absMax);
            }
            for (int t0 = 0; t0 < tokens; t0 += tileRows) {
                int rows = Math.min(tileRows, tokens - t0);
                src.get(headAt + t0 * hd, x, 0, rows * hd);
                quantizePerChannel(x, rows, hd, inv, q);
                out.put(valuesAt + (h * tokens + t0) * hd, q, 0, rows * hd);
            }
        }
    }

    // The loops below are small methods of their own: the JIT vectorises them more reliably than inside big ones.

    private static void channelAbsMaxBits(float[] x, int rows, int hd, int[] absMaxBits) {
        for (int r = 0; r < rows; r++) {
            int off = r * hd;
            for (int d = 0; d < hd; d++) {
                absMaxBits[d] = Math.max(absMaxBits[d], Float.floatToRawIntBits(x[off + d]) & 0x7FFFFFFF);
            }
        }
    }

    private static void quantizePerChannel(float[] x, int rows, int hd, float[] inv, byte[] q) {
        for (int r = 0; r < rows; r++) {
            int off = r * hd;
            for (int d = 0; d < hd; d++) {
                q[off + d] = (byte) (int) ((x[off + d] * inv[d] + ROUNDER) - ROUNDER);
            }
        }
    }

    private static float rowAbsMax(float[] x, int off, int hd) {
        float absMax = 0f;
        for (int d = 0; d < hd; d++) {
            absMax = Math.max(absMax, Math.abs(x[off + d]));
        }
        return absMax;
    }

    private static void quantizeRow(float[] x, int off, int hd, float inv, byte[] q) {
        for (int d = 0; d < hd; d++) {
            q[off + d] = (byte) (int) ((x[off + d] * inv + ROUNDER) - ROUNDER);
        }
    }

    private static void decodePerToken(ByteBuffer in, int valuesAt, float[] scales, KvBlockShape shape,
                                       FloatBuffer dst, int headStride) {
        int hd = shape.headDim();
        int tokens = shape.tokens();
        int tileRows = Blocks.rowsPerTile(hd);
        float[] x = new float[tileRows * hd];
        byte[] q = new byte[tileRows * hd];
        for (int h = 0; h < shape.heads(); h++) {
            for (int t0 = 0; t0 < tokens; t0 += tileRows) {
                int rows = Math.min(tileRows, tokens - t0);
                in.get(valuesAt + (h * tokens + t0) * hd, q, 0, rows * hd);
                for (int r = 0; r < rows; r++) {
                    int off = r * hd;
                    float scale = scales[h * tokens + t0 + r];
                    for (int d = 0; d < hd; d++) {
                        x[off + d] = q[off + d] * scale;
                    }
                }
                dst.put(dst.position() + h * headStride + t0 * hd, x, 0, rows * hd);
            }
        }
    }

    private static void decodePerChannel(ByteBuffer in, int valuesAt, float[] scales, KvBlockShape shape,
                                         FloatBuffer dst, int headStride) {
        int hd = shape.headDim();
        int tokens = shape.tokens();
        if (tokens == 0) {
            return;
        }
        int tileRows = Blocks.rowsPerTile(hd);
        float[] x = new float[tileRows * hd];
        byte[] q = new byte[tileRows * hd];
        // double, not float: the JIT cannot prove two float[] apart and would not vectorise x[i] = q[i] * scale[d].
        double[] headScales = new double[hd];
        for (int h = 0; h < shape.heads(); h++) {
            for (int d = 0; d < hd; d++) {
                headScales[d] = scales[h * hd + d];
            }
            for (int t0 = 0; t0 < tokens; t0 += tileRows) {
                int rows = Math.min(tileRows, tokens - t0);
                in.get(valuesAt + (h * tokens + t0) * hd, q, 0, rows * hd);
                for (int r = 0; r < rows; r++) {
                    int off = r * hd;
                    for (int d = 0; d < hd; d++) {
                        x[off + d] = (float) (q[off + d] * headScales[d]);
                    }
                }
                dst.put(dst.position() + h * headStride + t0 * hd, x, 0, rows * hd);
            }
        }
    }

    private static IllegalArgumentException nonFinite(KvBlockShape shape, int head, int token) {
        return new IllegalArgumentException("int8 cannot carry a non-finite value (head " + head
                + (token >= 0 ? ", token " + token : "") + " of block " + shape + ")");
    }

    @Override
    public String toString() {
        return spec.toString();
    }
}
