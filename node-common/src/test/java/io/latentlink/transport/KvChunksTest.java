package io.latentlink.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.latentlink.core.wire.Crc32c;
import io.latentlink.core.wire.KvGeometry;
import io.latentlink.core.wire.KvSliceShape;
import io.latentlink.core.wire.SequenceTracker;
import io.latentlink.core.wire.WireException;
import io.latentlink.proto.v1.KvChunk;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KvChunksTest {

    private static final KvGeometry RX = new KvGeometry("rx", "abc", 4, 2, 8);
    private static final KvSliceShape SHAPE = new KvSliceShape(1, 3, 4, 9, 2, 8);

    private static float[] ramp() {
        float[] v = new float[SHAPE.elements()];
        for (int i = 0; i < v.length; i++) {
            v[i] = i * 0.25f - 3;
        }
        return v;
    }

    private static KvChunk chunk(String codec, long seq) {
        return KvChunks.encode(RX, SHAPE, ramp(), PayloadCodecs.lookup(codec, Map.of()), seq);
    }

    private static WireException.Kind rejection(KvChunk c) {
        return assertThrows(WireException.class,
                () -> KvChunks.decode(c, RX, 64, new SequenceTracker(), 1 << 20)).kind();
    }

    @Test
    void fp32AndFp16RoundTripWithTheirHeaders() {
        for (String codec : new String[] {"fp32", "fp16"}) {
            KvChunk c = chunk(codec, 0);
            KvChunks.Decoded d = KvChunks.decode(c, RX, 64, new SequenceTracker(), 1 << 20);
            assertEquals(SHAPE, d.shape());
            assertArrayEquals(ramp(), d.values(), 0f); // the ramp is exact in fp16 too
            assertEquals(c.getPayload().size(), d.wireBytes());
        }
        assertEquals(SHAPE.elements() * 2L, chunk("fp16", 0).getPayload().size());
    }

    @Test
    void int8IsCloseAndItsParametersTravelInTheHeader() {
        KvChunk c = KvChunks.encode(RX, SHAPE, ramp(), PayloadCodecs.lookup("int8", Map.of("scales", "per_channel")), 0);
        assertEquals(Map.of("scales", "per_channel", "scale_type", "fp16"), c.getHeader().getCodecParamsMap());
        float[] back = KvChunks.decode(c, RX, 64, new SequenceTracker(), 1 << 20).values();
        float[] want = ramp();
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], back[i], 0.05f * Math.abs(want[i]) + 0.05f, "element " + i);
        }
        assertEquals(WireException.Kind.UNSUPPORTED_CODEC, assertThrows(WireException.class,
                () -> PayloadCodecs.lookup("int8", Map.of("bits", "3"))).kind());
    }

    @Test
    void aFlippedPayloadBitIsDataLoss() {
        KvChunk good = chunk("fp32", 0);
        byte[] bytes = good.getPayload().toByteArray();
        bytes[17] ^= 0x04;
        KvChunk bad = good.toBuilder().setPayload(ByteString.copyFrom(bytes)).build();
        assertEquals(WireException.Kind.CORRUPT, rejection(bad));
        assertEquals(Status.Code.DATA_LOSS,
                Statuses.of(new WireException(WireException.Kind.CORRUPT, "x")).getCode());
    }

    @Test
    void eachBrokenPromiseHasItsOwnKind() {
        KvChunk good = chunk("fp32", 0);
        assertEquals(WireException.Kind.OUT_OF_ORDER, rejection(chunk("fp32", 1)));
        assertEquals(WireException.Kind.UNKNOWN_MODEL,
                rejection(good.toBuilder().setHeader(good.getHeader().toBuilder().setModelId("nope")).build()));
        assertEquals(WireException.Kind.MALFORMED,
                rejection(good.toBuilder().setHeader(good.getHeader().toBuilder().setShape(3, 6)).build()));
        assertEquals(WireException.Kind.UNSUPPORTED_CODEC,
                rejection(good.toBuilder().setHeader(good.getHeader().toBuilder().setCodecId("zstd-9")).build()));
        assertEquals(WireException.Kind.TOO_LARGE, assertThrows(WireException.class,
                () -> KvChunks.decode(good, RX, 64, new SequenceTracker(), 100)).kind());
        assertEquals(WireException.Kind.MALFORMED, assertThrows(WireException.class,
                () -> KvChunks.decode(good, RX, 8, new SequenceTracker(), 1 << 20)).kind());
    }

    private static WireException.Kind checkRejection(KvChunk c) {
        return assertThrows(WireException.class,
                () -> KvChunks.check(c, "rx", new SequenceTracker(), 1 << 20)).kind();
    }

    @Test
    void aForwarderChecksEverythingButTheValues() {
        KvChunk good = chunk("int8", 0);
        KvChunks.Checked c = KvChunks.check(good, "rx", new SequenceTracker(), 1 << 20);
        assertEquals(SHAPE, c.shape());
        assertEquals(good.getPayload().size(), c.wireBytes());
        assertEquals(SHAPE.elements() * 4L, c.rawBytes());
        assertEquals("rx", KvChunks.check(good, "", new SequenceTracker(), 1 << 20).modelId());

        assertEquals(WireException.Kind.OUT_OF_ORDER, checkRejection(chunk("fp16", 3)));
        assertEquals(WireException.Kind.UNKNOWN_MODEL,
                checkRejection(good.toBuilder().setHeader(good.getHeader().toBuilder().setModelId("sx")).build()));
        assertEquals(WireException.Kind.MALFORMED,
                checkRejection(good.toBuilder().setHeader(good.getHeader().toBuilder().setShape(3, 6)).build()));
        assertEquals(WireException.Kind.UNSUPPORTED_CODEC,
                checkRejection(good.toBuilder().setHeader(good.getHeader().toBuilder().setCodecId("zstd")).build()));
        byte[] bytes = good.getPayload().toByteArray();
        bytes[40] ^= 0x10;
        assertEquals(WireException.Kind.CORRUPT,
                checkRejection(good.toBuilder().setPayload(ByteString.copyFrom(bytes)).build()));
        // A payload cut short with a matching CRC is still refused: the size is checked against codec and shape.
        ByteString cut = good.getPayload().substring(0, good.getPayload().size() - 1);
        assertEquals(WireException.Kind.CORRUPT, checkRejection(good.toBuilder().setPayload(cut)
                .setHeader(good.getHeader().toBuilder().setCrc32C(Crc32c.of(cut.toByteArray()))).build()));
    }

    @Test
    void encodingStraightFromABlockEqualsEncodingTheGatheredSlice() {
        int tokens = 12;
        float[][] keys = new float[4][];
        float[][] values = new float[4][];
        for (int l = 1; l < 4; l++) {
            keys[l] = new float[2 * tokens * 8];
            values[l] = new float[keys[l].length];
            for (int i = 0; i < keys[l].length; i++) {
                keys[l][i] = (float) Math.sin(i * 0.37 + l);
                values[l][i] = (float) Math.cos(i * 0.11 - l) * 3;
            }
        }
        io.latentlink.core.wire.KvBlock block = new io.latentlink.core.wire.KvBlock(RX, 20, 20 + tokens, keys, values);
        KvSliceShape slice = new KvSliceShape(1, 3, 23, 30, 2, 8);
        for (String codec : new String[] {"fp32", "fp16", "int8", "int8z"}) {
            for (Map<String, String> params : codec.startsWith("int8")
                    ? java.util.List.of(Map.of("scales", "per_token"), Map.of("scales", "per_channel"))
                    : java.util.List.<Map<String, String>>of(Map.of())) {
                PayloadCodec c = PayloadCodecs.lookup(codec, params);
                assertEquals(KvChunks.encode(RX, slice, block.gather(slice), c, 5),
                        KvChunks.encode(RX, slice, block, c, 5), codec + " " + params);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> PayloadCodecs.lookup("fp16", Map.of())
                .encode(block, new KvSliceShape(0, 2, 23, 30, 2, 8)));
    }
}
