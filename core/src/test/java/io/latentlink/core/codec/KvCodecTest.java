package io.latentlink.core.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Round trips with per-codec error bounds, buffer handling, and refusal of bad input. */
class KvCodecTest {

    static Stream<KvCodec> codecs() {
        CodecRegistry r = CodecRegistry.standard();
        return Stream.of(r.get("fp32"), r.get("fp16"),
                r.get("int8"), r.get(CodecSpec.of("int8", "scale_type", "fp32")),
                r.get(CodecSpec.of("int8", "scales", "per_channel")),
                r.get(new CodecSpec("int8", Map.of("scales", "per_channel", "scale_type", "fp32"))),
                r.get("int8z"), r.get(new CodecSpec("int8z", Map.of("scales", "per_channel", "level", "3"))));
    }

    /** Largest error the codec may make on value {@code i} of block {@code x}, from its documented rounding. */
    static float bound(KvCodec codec, float[] x, KvBlockShape shape, int i) {
        float slack = 1 + 1e-5f;
        if (codec.id().startsWith("int8")) {
            // fp16 scales are rounded up, which widens the step by at most 2^-10.
            slack *= codec.spec().param("scale_type", "?").equals("fp16") ? 1 + 0x1p-10f : 1f;
        }
        String kind = codec.id().startsWith("int8") ? "int8 " + codec.spec().param("scales", "?") : codec.id();
        return switch (kind) {
            case "fp32" -> 0f;
            case "fp16" -> Math.abs(x[i]) * 0x1p-11f + 0x1p-25f;
            case "int8 per_token" -> {
                int row = i / shape.headDim();
                float max = 0;
                for (int d = 0; d < shape.headDim(); d++) {
                    max = Math.max(max, Math.abs(x[row * shape.headDim() + d]));
                }
                yield max / 254f * slack;
            }
            case "int8 per_channel" -> {
                int hd = shape.headDim();
                int head = i / (shape.tokens() * hd);
                int d = i % hd;
                float max = 0;
                for (int t = 0; t < shape.tokens(); t++) {
                    max = Math.max(max, Math.abs(x[(head * shape.tokens() + t) * hd + d]));
                }
                yield max / 254f * slack;
            }
            default -> throw new AssertionError("no bound for " + codec);
        };
    }

    private static void assertWithinBounds(KvCodec codec, float[] x, KvBlockShape shape, float[] y) {
        for (int i = 0; i < x.length; i++) {
            float err = Math.abs(x[i] - y[i]);
            float b = bound(codec, x, shape, i);
            if (!(err <= b)) {
                throw new AssertionError(codec + ": value " + i + " = " + x[i] + " decoded as " + y[i]
                        + ", error " + err + " > bound " + b);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void roundTripStaysWithinTheCodecsBound(KvCodec codec) {
        // 300 tokens of head_dim 64 cross the 128-row scratch tiles; outlier channels and an outlier token included.
        for (KvBlockShape shape : new KvBlockShape[] {
                new KvBlockShape(2, 300, 64), new KvBlockShape(3, 1, 32), new KvBlockShape(1, 7, 3)}) {
            float[] x = KvTestData.block(shape, 42, 12f, 4f);
            ByteBuffer wire = ByteBuffer.allocateDirect(codec.encodedSize(shape));
            int written = codec.encode(KvTestData.direct(x), shape, wire);
            if (codec.fixedSize()) {
                assertEquals(codec.encodedSize(shape), written);
            }
            assertTrue(written <= codec.encodedSize(shape), "within the size bound");
            assertEquals(written, wire.position());
            wire.flip();
            FloatBuffer out = ByteBuffer.allocateDirect(shape.fp32Bytes()).order(ByteOrder.nativeOrder()).asFloatBuffer();
            codec.decode(wire, shape, out);
            assertEquals(wire.limit(), wire.position(), "decode consumes the payload");
            float[] y = KvTestData.toArray(out, 0, x.length);
            if (codec.lossless()) {
                assertArrayEquals(x, y);
            } else {
                assertWithinBounds(codec, x, shape, y);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void heapBuffersAnyByteOrderAndOffsetsGiveTheSameBytes(KvCodec codec) {
        KvBlockShape shape = new KvBlockShape(2, 5, 8);
        float[] x = KvTestData.block(shape, 1, 5f, 1f);
        ByteBuffer reference = ByteBuffer.allocate(codec.encodedSize(shape));
        int written = codec.encode(FloatBuffer.wrap(x), shape, reference);

        // A big-endian byte buffer with a float view at offset 3 floats, and a destination at offset 11 bytes.
        ByteBuffer backing = ByteBuffer.allocateDirect((x.length + 3) * 4).order(ByteOrder.BIG_ENDIAN);
        FloatBuffer src = backing.asFloatBuffer();
        src.put(3, x).position(3);
        ByteBuffer dst = ByteBuffer.allocate(codec.encodedSize(shape) + 20).order(ByteOrder.BIG_ENDIAN);
        dst.position(11);
        codec.encode(src, shape, dst);
        assertEquals(3, src.position(), "the float side is not moved");
        assertEquals(ByteOrder.BIG_ENDIAN, dst.order(), "the caller's byte order is left alone");
        assertEquals(11 + written, dst.position());
        assertEquals(reference.flip(), dst.flip().position(11), "payload bytes do not depend on buffers or offsets");

        FloatBuffer out = FloatBuffer.allocate(x.length + 4);
        out.position(4);
        codec.decode(dst, shape, out);
        assertEquals(4, out.position());
        float[] y = KvTestData.toArray(out, 4, x.length);
        if (codec.lossless()) {
            assertArrayEquals(x, y);
        } else {
            assertWithinBounds(codec, x, shape, y);
        }
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void encodesATokenRangeStraightOutOfALargerCacheAndDecodesIntoOne(KvCodec codec) {
        int heads = 2;
        int past = 50;
        int hd = 16;
        KvBlockShape cacheShape = new KvBlockShape(heads, past, hd);
        float[] cache = KvTestData.block(cacheShape, 9, 8f, 1f);
        FloatBuffer src = KvTestData.direct(cache);
        int t0 = 10;
        KvBlockShape range = new KvBlockShape(heads, 20, hd);
        ByteBuffer wire = ByteBuffer.allocate(codec.encodedSize(range));
        codec.encode(src.position(t0 * hd), range, past * hd, wire);
        wire.flip();

        float[] contiguous = new float[range.elements()];
        for (int h = 0; h < heads; h++) {
            System.arraycopy(cache, (h * past + t0) * hd, contiguous, h * range.tokens() * hd, range.tokens() * hd);
        }
        ByteBuffer expected = ByteBuffer.allocate(codec.encodedSize(range));
        codec.encode(FloatBuffer.wrap(contiguous), range, expected);
        assertEquals(expected.flip(), wire, "strided and contiguous sources encode alike");

        FloatBuffer target = KvTestData.direct(new float[cache.length]);
        codec.decode(wire, range, target.position(t0 * hd), past * hd);
        float[] y = KvTestData.toArray(target, 0, cache.length);
        float[] decodedRange = new float[range.elements()];
        for (int h = 0; h < heads; h++) {
            for (int t = 0; t < past; t++) {
                for (int d = 0; d < hd; d++) {
                    float v = y[(h * past + t) * hd + d];
                    if (t < t0 || t >= t0 + range.tokens()) {
                        assertEquals(0f, v, "decode writes only the token range");
                    } else {
                        decodedRange[(h * range.tokens() + t - t0) * hd + d] = v;
                    }
                }
            }
        }
        if (codec.lossless()) {
            assertArrayEquals(contiguous, decodedRange);
        } else {
            assertWithinBounds(codec, contiguous, range, decodedRange);
        }
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void zeroTokensEncodeToNothing(KvCodec codec) {
        KvBlockShape empty = new KvBlockShape(4, 0, 64);
        assertEquals(0, codec.encodedSize(empty));
        ByteBuffer wire = ByteBuffer.allocate(0);
        assertEquals(0, codec.encode(FloatBuffer.allocate(0), empty, wire));
        codec.decode(wire.flip(), empty, FloatBuffer.allocate(0));
    }

    @Test
    void int8ZeroAndTinyRowsDecodeToZero() {
        KvCodec int8 = CodecRegistry.standard().get("int8");
        KvBlockShape shape = new KvBlockShape(1, 2, 4);
        float[] x = {0, 0, 0, 0, 1e-35f, -1e-35f, 0, 1e-36f};
        ByteBuffer wire = ByteBuffer.allocate(int8.encodedSize(shape));
        int8.encode(FloatBuffer.wrap(x), shape, wire);
        float[] y = new float[x.length];
        int8.decode(wire.flip(), shape, FloatBuffer.wrap(y));
        assertArrayEquals(new float[x.length], y);
    }

    @Test
    void int8PayloadLayoutIsScalesThenValues() {
        KvCodec perToken = CodecRegistry.standard().get(CodecSpec.of("int8", "scale_type", "fp32"));
        KvBlockShape shape = new KvBlockShape(1, 2, 2);
        float[] x = {127f, -63.5f, 0.5f, -1f};
        ByteBuffer wire = ByteBuffer.allocate(perToken.encodedSize(shape));
        perToken.encode(FloatBuffer.wrap(x), shape, wire);
        wire.flip().order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(2 * 4 + 4, wire.remaining());
        assertEquals(1f, wire.getFloat(0));                 // absmax 127 / 127
        assertEquals(1f / 127f, wire.getFloat(4));          // absmax 1 / 127
        assertArrayEquals(new byte[] {127, -64, 64, -127},  // halves round to even: -63.5 -> -64, 63.5 -> 64
                new byte[] {wire.get(8), wire.get(9), wire.get(10), wire.get(11)});
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void wrongPayloadLengthIsCorruptAndNothingOutsideIsRead(KvCodec codec) {
        KvBlockShape shape = new KvBlockShape(2, 3, 8);
        float[] x = KvTestData.block(shape, 3, 4f, 1f);
        ByteBuffer wire = ByteBuffer.allocate(codec.encodedSize(shape) + 2);
        int size = codec.encode(FloatBuffer.wrap(x), shape, wire);
        FloatBuffer out = FloatBuffer.allocate(x.length);

        CorruptPayloadException shortInput = assertThrows(CorruptPayloadException.class,
                () -> codec.decode(wire.duplicate().position(0).limit(size - 1), shape, out));
        if (codec.fixedSize()) {
            assertTrue(shortInput.getMessage().contains(String.valueOf(size)), shortInput.getMessage());
        }
        assertThrows(CorruptPayloadException.class,
                () -> codec.decode(wire.duplicate().position(0).limit(size + 1), shape, out));
        assertThrows(CorruptPayloadException.class,
                () -> codec.decode(wire.duplicate().position(0).limit(size), new KvBlockShape(2, 4, 8),
                        FloatBuffer.allocate(64)));
        assertThrows(CorruptPayloadException.class, () -> codec.decode(ByteBuffer.allocate(0), shape, out));

        // The exact payload inside a larger buffer of junk decodes fine: only [position, limit) is read.
        ByteBuffer framed = ByteBuffer.allocate(size + 16);
        for (int i = 0; i < framed.capacity(); i++) {
            framed.put(i, (byte) 0x7F);
        }
        framed.put(8, wire.array(), 0, size);
        codec.decode(framed.position(8).limit(8 + size), shape, out);
        FloatBuffer plain = FloatBuffer.allocate(x.length);
        codec.decode(wire.duplicate().position(0).limit(size), shape, plain);
        assertEquals(plain, out);
    }

    @Test
    void int8Fp16ScalesAreRoundedUpSoNoCodeLeavesTheRange() {
        KvCodec int8 = CodecRegistry.standard().get("int8");
        KvBlockShape shape = new KvBlockShape(1, 2, 2);
        float[] x = {127f, -63.5f, 0.5f, -1f};
        ByteBuffer wire = ByteBuffer.allocate(int8.encodedSize(shape));
        int8.encode(FloatBuffer.wrap(x), shape, wire);
        wire.flip().order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(2 * 2 + 4, wire.remaining());
        assertEquals(1f, Float.float16ToFloat(wire.getShort(0)));     // 127 / 127 is exact in fp16
        float scale = Float.float16ToFloat(wire.getShort(2));           // 1 / 127 is not: the next fp16 up
        assertTrue(scale >= 1f / 127f && scale <= (1f / 127f) * (1 + 0x1p-10f), "scale " + scale);
        assertEquals((byte) Math.round(-1f / scale), wire.get(7));
        assertTrue(Math.abs(wire.get(7)) <= 127);
    }

    @Test
    void int8ScalesThatNoEncoderWritesAreCorrupt() {
        for (String layout : new String[] {"per_token", "per_channel"}) {
            KvBlockShape shape = new KvBlockShape(1, 2, 4);
            KvCodec fp32Scales = CodecRegistry.standard().get(
                    new CodecSpec("int8", Map.of("scales", layout, "scale_type", "fp32")));
            for (float badScale : new float[] {Float.NaN, Float.POSITIVE_INFINITY, -1f}) {
                assertCorruptScale(fp32Scales, shape, wire -> wire.putFloat(4, badScale));
            }
            KvCodec fp16Scales = CodecRegistry.standard().get(CodecSpec.of("int8", "scales", layout));
            for (short badScale : new short[] {(short) 0x7E00, (short) 0x7C00, (short) 0xBC00, (short) 0x8000}) {
                assertCorruptScale(fp16Scales, shape, wire -> wire.putShort(2, badScale));
            }
        }
    }

    private static void assertCorruptScale(KvCodec int8, KvBlockShape shape, java.util.function.Consumer<ByteBuffer> damage) {
        ByteBuffer wire = ByteBuffer.allocate(int8.encodedSize(shape));
        int8.encode(FloatBuffer.wrap(KvTestData.block(shape, 5, 1f, 1f)), shape, wire);
        damage.accept(wire.flip().order(ByteOrder.LITTLE_ENDIAN));
        CorruptPayloadException e = assertThrows(CorruptPayloadException.class,
                () -> int8.decode(wire, shape, FloatBuffer.allocate(8)));
        assertTrue(e.getMessage().contains("scale"), e.getMessage());
    }

    @Test
    void fp16InfinitiesAndNaNsInAPayloadAreCorrupt() {
        KvCodec fp16 = CodecRegistry.standard().get("fp16");
        KvBlockShape shape = new KvBlockShape(1, 1, 4);
        for (short bad : new short[] {(short) 0x7C00, (short) 0xFC00, (short) 0x7E00}) {
            ByteBuffer wire = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            wire.putShort(0, Float.floatToFloat16(1f)).putShort(2, bad);
            assertThrows(CorruptPayloadException.class, () -> fp16.decode(wire, shape, FloatBuffer.allocate(4)));
        }
    }

    @Test
    void randomBytesEitherDecodeToFiniteValuesOrAreCorrupt() {
        Random random = new Random(11);
        KvBlockShape shape = new KvBlockShape(2, 3, 4);
        codecs().filter(c -> !c.lossless()).forEach(codec -> {
            for (int round = 0; round < 200; round++) {
                byte[] junk = new byte[codec.encodedSize(shape)];
                random.nextBytes(junk);
                FloatBuffer out = FloatBuffer.allocate(shape.elements());
                try {
                    codec.decode(ByteBuffer.wrap(junk), shape, out);
                    for (int i = 0; i < shape.elements(); i++) {
                        assertTrue(Float.isFinite(out.get(i)), codec + " decoded a non-finite value");
                    }
                } catch (CorruptPayloadException expected) {
                    assertTrue(expected.getMessage().contains(codec.id()), expected.getMessage());
                }
            }
        });
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void encodeRefusesBadBuffersWithoutMovingThem(KvCodec codec) {
        KvBlockShape shape = new KvBlockShape(2, 4, 8);
        FloatBuffer src = FloatBuffer.wrap(KvTestData.block(shape, 8, 2f, 1f));
        ByteBuffer small = ByteBuffer.allocate(codec.encodedSize(shape) - 1);
        IllegalArgumentException room = assertThrows(IllegalArgumentException.class,
                () -> codec.encode(src, shape, small));
        assertTrue(room.getMessage().contains("destination"), room.getMessage());
        assertEquals(0, small.position());
        assertThrows(IllegalArgumentException.class,
                () -> codec.encode(FloatBuffer.allocate(shape.elements() - 1), shape, ByteBuffer.allocate(1 << 12)));
        assertThrows(IllegalArgumentException.class,
                () -> codec.encode(src, shape, 8, ByteBuffer.allocate(1 << 12)));
        assertThrows(IllegalArgumentException.class,
                () -> codec.encode(src, shape, ByteBuffer.allocate(1 << 12).asReadOnlyBuffer()));
        ByteBuffer wire = ByteBuffer.allocate(codec.encodedSize(shape));
        codec.encode(src, shape, wire);
        assertThrows(IllegalArgumentException.class,
                () -> codec.decode(wire.flip(), shape, FloatBuffer.allocate(shape.elements() - 1)));
    }

    @Test
    void lossyCodecsRefuseValuesTheyCannotCarry() {
        KvBlockShape shape = new KvBlockShape(1, 2, 4);
        for (String id : new String[] {"fp16", "int8", "int8z"}) {
            KvCodec codec = CodecRegistry.standard().get(id);
            for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
                float[] x = {1, 2, 3, 4, 5, bad, 7, 8};
                assertThrows(IllegalArgumentException.class,
                        () -> codec.encode(FloatBuffer.wrap(x), shape, ByteBuffer.allocate(64)));
            }
        }
        KvCodec perChannel = CodecRegistry.standard().get(CodecSpec.of("int8", "scales", "per_channel"));
        assertThrows(IllegalArgumentException.class, () -> perChannel.encode(
                FloatBuffer.wrap(new float[] {1, 2, 3, 4, 5, Float.NaN, 7, 8}), shape, ByteBuffer.allocate(64)));
        KvCodec fp16 = CodecRegistry.standard().get("fp16");
        IllegalArgumentException overflow = assertThrows(IllegalArgumentException.class, () -> fp16.encode(
                FloatBuffer.wrap(new float[] {1, 2, 3, 70000f, 5, 6, 7, 8}), shape, ByteBuffer.allocate(64)));
        assertTrue(overflow.getMessage().contains("fp16"), overflow.getMessage());
        // fp32 is raw: it carries anything, bit for bit.
        KvCodec fp32 = CodecRegistry.standard().get("fp32");
        float[] odd = {Float.NaN, Float.NEGATIVE_INFINITY, -0f, Float.MIN_VALUE, 1, 2, 3, 4};
        ByteBuffer wire = ByteBuffer.allocate(32);
        fp32.encode(FloatBuffer.wrap(odd), shape, wire);
        float[] back = new float[8];
        fp32.decode(wire.flip(), shape, FloatBuffer.wrap(back));
        for (int i = 0; i < 8; i++) {
            assertEquals(Float.floatToRawIntBits(odd[i]), Float.floatToRawIntBits(back[i]));
        }
    }

    @Test
    void shapesAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new KvBlockShape(0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new KvBlockShape(1, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> new KvBlockShape(1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new KvBlockShape(1024, 1 << 16, 128));
        assertEquals(2 * 3 * 4 * 4, new KvBlockShape(2, 3, 4).fp32Bytes());
    }
}
