package io.latentlink.transport;

import io.latentlink.core.codec.CorruptPayloadException;
import io.latentlink.core.codec.KvBlockShape;
import io.latentlink.core.codec.KvCodec;
import io.latentlink.core.wire.KvBlock;
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

    /**
     * Encodes a slice straight out of a prefill block's per-layer {@code [kvHeads, blockTokens, headSize]} arrays:
     * the codecs read a token range with a head stride, so the slice is never gathered into a chunk tensor first
     * (one fp32 copy of everything the sender sends, saved).
     */
    public byte[] encode(KvBlock block, KvSliceShape shape) {
        if (shape.tokenStart() < block.tokenStart() || shape.tokenEnd() > block.tokenEnd()
                || shape.kvHeads() != block.geometry().kvHeads() || shape.headSize() != block.geometry().headSize()) {
            throw new IllegalArgumentException("slice " + shape + " is not inside block [" + block.tokenStart()
                    + ", " + block.tokenEnd() + ")");
        }
        KvBlockShape one = new KvBlockShape(shape.kvHeads(), shape.tokens(), shape.headSize());
        ByteBuffer out = ByteBuffer.allocate(2 * shape.layers() * codec.encodedSize(one)).order(ByteOrder.LITTLE_ENDIAN);
        int headStride = block.tokens() * shape.headSize();
        int offset = (shape.tokenStart() - block.tokenStart()) * shape.headSize();
        for (int l = shape.layerStart(); l < shape.layerEnd(); l++) {
            if (block.keys()[l] == null) {
                throw new IllegalArgumentException("block does not hold layer " + l);
            }
            codec.encode(FloatBuffer.wrap(block.keys()[l]).position(offset).slice(), one, headStride, out);
            codec.encode(FloatBuffer.wrap(block.values()[l]).position(offset).slice(), one, headStride, out);
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
