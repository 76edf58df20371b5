package io.latentlink.transport;

import io.latentlink.core.codec.CorruptPayloadException;
import io.latentlink.core.codec.KvBlockShape;
import io.latentlink.core.codec.KvCodec;
import io.latentlink.core.wire.KvSliceShape;
import io.latentlink.core.wire.WireException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * A core {@link KvCodec} applied to a whole chunk: the chunk tensor {@code [layers, 2, kvHeads, tokens, headSize]}
 * is {@code 2 * layers} blocks of {@code [kvHeads, tokens, headSize]}, encoded one after another. Every block of a
 * chunk has the same shape, so each has the same exact encoded size and the payload splits without framing.
 */
public final class PayloadCodec {

    private final KvCodec codec;

    PayloadCodec(KvCodec codec) {
        this.codec = codec;
    }

    public String id() {
        return codec.id();
    }

    public Map<String, String> params() {
        return codec.spec().params();
    }

    /** Wire bytes per element for one-token blocks: an upper bound for sizing chunks of any token count. */
    public double bytesPerElement(int kvHeads, int headSize) {
        return codec.encodedSize(new KvBlockShape(kvHeads, 1, headSize)) / (double) (kvHeads * headSize);
    }

    /** Exact payload size of a chunk of this shape. */
    public long payloadBytes(KvSliceShape shape) {
        return 2L * shape.layers() * codec.encodedSize(new KvBlockShape(shape.kvHeads(), shape.tokens(),
                shape.headSize()));
    }

    public byte[] encode(float[] values, KvSliceShape shape) {
        KvBlockShape block = new KvBlockShape(shape.kvHeads(), shape.tokens(), shape.headSize());
        int blocks = 2 * shape.layers();
        int blockElements = block.elements();
        if (values.length != blocks * blockElements) {
            throw new IllegalArgumentException("chunk has " + values.length + " values, shape " + shape + " needs "
                    + blocks * blockElements);
        }
        ByteBuffer out = ByteBuffer.allocate(blocks * codec.encodedSize(block)).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer src = FloatBuffer.wrap(values);
        for (int b = 0; b < blocks; b++) {
            codec.encode(src.slice(b * blockElements, blockElements), block, out);
        }
        return out.array();
    }

    /** Decodes a chunk payload; throws WireException(CORRUPT) if it is not a valid encoding of this shape. */
    public float[] decode(ByteBuffer payload, KvSliceShape shape) {
        KvBlockShape block = new KvBlockShape(shape.kvHeads(), shape.tokens(), shape.headSize());
        int blocks = 2 * shape.layers();
        int blockBytes = codec.encodedSize(block);
        if ((long) blocks * blockBytes != payload.remaining()) {
            throw new WireException(WireException.Kind.CORRUPT, codec.id() + " payload has " + payload.remaining()
                    + " bytes, shape " + java.util.Arrays.toString(shape.dims()) + " needs " + (long) blocks * blockBytes);
        }
        float[] out = new float[blocks * block.elements()];
        FloatBuffer dst = FloatBuffer.wrap(out);
        ByteBuffer src = payload.duplicate();
        int base = src.position();
        try {
            for (int b = 0; b < blocks; b++) {
                ByteBuffer one = src.duplicate().position(base + b * blockBytes).limit(base + (b + 1) * blockBytes);
                codec.decode(one, block, dst.slice(b * block.elements(), block.elements()));
            }
        } catch (CorruptPayloadException e) {
            throw new WireException(WireException.Kind.CORRUPT, e.getMessage());
        }
        return out;
    }
}
