package io.latentlink.core.tensor;

import io.latentlink.core.codec.CodecRegistry;
import io.latentlink.core.codec.KvBlockShape;
import io.latentlink.core.codec.KvCodec;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A sender's chunk path end to end: strided cache slice -> codec (no staging copy) -> wire -> receiver's cache. */
class KvCacheCodecTest {
    @Test
    void stridedSlicesEncodeStraightOutOfTheCacheAndDecodeIntoAnotherCache() {
        KvCodec codec = CodecRegistry.standard().get("fp32");
        KvLayout layout = new KvLayout(3, 2, 4);
        try (KvCache sender = KvCache.allocate(layout, 0, 64); KvCache receiver = KvCache.allocate(layout, 0, 64)) {
            KvCacheTest.appendRange(sender, 0, 10); // same layout as KvCacheTest
            for (int from = 0; from < 10; from += 4) {
                int to = Math.min(10, from + 4);
                for (int l = 0; l < layout.layers(); l++) {
                    KvView k = sender.keys(l, from, to);
                    KvView v = sender.values(l, from, to);
                    KvBlockShape shape = new KvBlockShape(k.heads(), k.tokens(), k.headDim());
                    ByteBuffer wireK = ByteBuffer.allocate(codec.encodedSize(shape));
                    ByteBuffer wireV = ByteBuffer.allocate(codec.encodedSize(shape));
                    codec.encode(k.stridedBuffer(), shape, k.headStride(), wireK);
                    codec.encode(v.stridedBuffer(), shape, v.headStride(), wireV);
                    receiver.append(l, decode(codec, wireK.flip(), shape), decode(codec, wireV.flip(), shape));
                }
            }
            assertEquals(10, receiver.tokens());
            for (int l = 0; l < layout.layers(); l++) {
                assertArrayEquals(sender.keys(l).toArray(), receiver.keys(l).toArray());
                assertArrayEquals(sender.values(l).toArray(), receiver.values(l).toArray());
            }
        }
    }

    private static KvView decode(KvCodec codec, ByteBuffer wire, KvBlockShape shape) {
        FloatBuffer out = ByteBuffer.allocateDirect(shape.fp32Bytes()).order(ByteOrder.nativeOrder()).asFloatBuffer();
        codec.decode(wire, shape, out);
        return KvView.wrap(out, shape.heads(), shape.tokens(), shape.headDim());
    }
}
