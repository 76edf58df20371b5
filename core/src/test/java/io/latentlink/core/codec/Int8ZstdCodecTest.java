package io.latentlink.core.codec;

import com.github.luben.zstd.Zstd;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The zstd stage of int8z: same values as int8, bounded size, and damaged or hostile frames refused. */
class Int8ZstdCodecTest {

    private static final CodecRegistry REGISTRY = CodecRegistry.standard();
    private static final KvCodec INT8 = REGISTRY.get("int8");
    private static final KvCodec INT8Z = REGISTRY.get("int8z");
    /** Outlier channels make the codes compressible, as real keys do. */
    private static final KvBlockShape SHAPE = new KvBlockShape(4, 64, 32);
    private static final float[] KEYS = KvTestData.block(SHAPE, 7, 15f, 1f);

    private static byte[] encode(KvCodec codec, float[] x, KvBlockShape shape) {
        ByteBuffer wire = ByteBuffer.allocate(codec.encodedSize(shape));
        int n = codec.encode(FloatBuffer.wrap(x), shape, wire);
        return Arrays.copyOf(wire.array(), n);
    }

    private static float[] decode(KvCodec codec, byte[] payload, KvBlockShape shape) {
        float[] y = new float[shape.elements()];
        codec.decode(ByteBuffer.wrap(payload), shape, FloatBuffer.wrap(y));
        return y;
    }

    @Test
    void decodesToExactlyWhatInt8DecodesAndIsSmaller() {
        byte[] plain = encode(INT8, KEYS, SHAPE);
        byte[] packed = encode(INT8Z, KEYS, SHAPE);
        assertEquals(Int8ZstdCodec.ZSTD, packed[0]);
        assertTrue(packed.length < plain.length, packed.length + " vs int8's " + plain.length);
        assertArrayEquals(decode(INT8, plain, SHAPE), decode(INT8Z, packed, SHAPE));
        for (String level : new String[] {"3", "19"}) {
            KvCodec other = REGISTRY.get(CodecSpec.of("int8z", "level", level));
            assertArrayEquals(decode(INT8, plain, SHAPE), decode(INT8Z, encode(other, KEYS, SHAPE), SHAPE),
                    "the level changes only the frame, not what it decodes to");
        }
    }

    @Test
    void incompressibleBlocksAreStoredWithinTheBound() {
        // Two rows of a few values: no frame is smaller than the int8 payload itself.
        KvBlockShape tiny = new KvBlockShape(1, 2, 4);
        float[] x = {1, -2, 3, -4, 0.5f, 0.25f, -0.125f, 1};
        byte[] packed = encode(INT8Z, x, tiny);
        assertEquals(Int8ZstdCodec.STORED, packed[0]);
        assertEquals(INT8Z.encodedSize(tiny), packed.length);
        assertEquals(1 + INT8.encodedSize(tiny), packed.length);
        assertArrayEquals(decode(INT8, encode(INT8, x, tiny), tiny), decode(INT8Z, packed, tiny));
    }

    @Test
    void everyTruncationAndExtensionIsCorrupt() {
        byte[] packed = encode(INT8Z, KEYS, SHAPE);
        for (int len = 0; len < packed.length; len++) {
            byte[] cut = Arrays.copyOf(packed, len);
            assertThrows(CorruptPayloadException.class, () -> decode(INT8Z, cut, SHAPE), "truncated to " + len);
        }
        byte[] longer = Arrays.copyOf(packed, packed.length + 1);
        assertThrows(CorruptPayloadException.class, () -> decode(INT8Z, longer, SHAPE));
        byte[] otherShape = packed.clone();
        assertThrows(CorruptPayloadException.class,
                () -> decode(INT8Z, otherShape, new KvBlockShape(4, 63, 32)));
    }

    @Test
    void framesThatExpandPastTheBlockAreRefusedWithoutExpandingThem() {
        int raw = INT8.encodedSize(SHAPE);
        // 16 MiB of zeros compress to a few hundred bytes: a decompression bomb as far as this block is concerned.
        byte[] bomb = Zstd.compress(new byte[16 << 20], 3);
        assertTrue(bomb.length < raw, "the bomb fits the block's size bound: " + bomb.length);
        byte[] payload = new byte[1 + bomb.length];
        payload[0] = Int8ZstdCodec.ZSTD;
        System.arraycopy(bomb, 0, payload, 1, bomb.length);
        long before = System.nanoTime();
        CorruptPayloadException e = assertThrows(CorruptPayloadException.class, () -> decode(INT8Z, payload, SHAPE));
        assertTrue(e.getMessage().contains("int8z"), e.getMessage());
        assertTrue(System.nanoTime() - before < 2_000_000_000L, "refused without inflating 16 MiB");

        // A frame one byte short of the block, and a valid-looking frame of the right size that is too big.
        byte[] shortFrame = Zstd.compress(new byte[raw - 1], 1);
        byte[] p2 = new byte[1 + shortFrame.length];
        p2[0] = Int8ZstdCodec.ZSTD;
        System.arraycopy(shortFrame, 0, p2, 1, shortFrame.length);
        assertThrows(CorruptPayloadException.class, () -> decode(INT8Z, p2, SHAPE));
        byte[] fat = new byte[1 + raw];
        fat[0] = Int8ZstdCodec.ZSTD;
        assertThrows(CorruptPayloadException.class, () -> decode(INT8Z, fat, SHAPE));
    }

    @Test
    void unknownModesAndDamagedScalesAreCorrupt() {
        byte[] packed = encode(INT8Z, KEYS, SHAPE);
        for (byte mode : new byte[] {2, -1, 127}) {
            byte[] bad = packed.clone();
            bad[0] = mode;
            CorruptPayloadException e = assertThrows(CorruptPayloadException.class, () -> decode(INT8Z, bad, SHAPE));
            assertTrue(e.getMessage().contains("mode"), e.getMessage());
        }
        // A stored block whose first fp16 scale is NaN: the int8 check fires, named as int8z's.
        KvBlockShape tiny = new KvBlockShape(1, 2, 4);
        byte[] stored = encode(INT8Z, new float[] {1, -2, 3, -4, 0.5f, 0.25f, -0.125f, 1}, tiny);
        stored[1] = 0;
        stored[2] = (byte) 0x7E;
        CorruptPayloadException e = assertThrows(CorruptPayloadException.class, () -> decode(INT8Z, stored, tiny));
        assertTrue(e.getMessage().startsWith("int8z") && e.getMessage().contains("scale"), e.getMessage());
    }

    @Test
    void flippedBitsEitherDecodeToFiniteValuesOrAreCorrupt() {
        byte[] packed = encode(INT8Z, KEYS, SHAPE);
        Random random = new Random(3);
        for (int round = 0; round < 300; round++) {
            byte[] bad = packed.clone();
            int at = 1 + random.nextInt(bad.length - 1);
            bad[at] ^= (byte) (1 << random.nextInt(8));
            try {
                for (float v : decode(INT8Z, bad, SHAPE)) {
                    assertTrue(Float.isFinite(v));
                }
            } catch (CorruptPayloadException expected) {
                assertTrue(expected.getMessage().contains("int8z"), expected.getMessage());
            }
        }
    }

    @Test
    void encodingChecksRoomForTheBoundAndIsSafeFromManyThreads() throws Exception {
        ByteBuffer small = ByteBuffer.allocate(INT8Z.encodedSize(SHAPE) - 1);
        assertThrows(IllegalArgumentException.class, () -> INT8Z.encode(FloatBuffer.wrap(KEYS), SHAPE, small));
        assertEquals(0, small.position());

        byte[] expected = encode(INT8Z, KEYS, SHAPE);
        Thread[] threads = new Thread[4];
        Throwable[] failure = new Throwable[1];
        for (int i = 0; i < threads.length; i++) {
            threads[i] = new Thread(() -> {
                try {
                    for (int r = 0; r < 50; r++) {
                        assertArrayEquals(expected, encode(INT8Z, KEYS, SHAPE));
                        decode(INT8Z, expected, SHAPE);
                    }
                } catch (Throwable t) {
                    synchronized (failure) {
                        failure[0] = t;
                    }
                }
            });
            threads[i].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure[0] != null) {
            throw new AssertionError("concurrent use failed", failure[0]);
        }
    }
}
