package io.latentlink.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.grpc.Status;
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
}
