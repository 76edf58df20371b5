package io.latentlink.transport;

import io.latentlink.core.codec.CorruptPayloadException;
import io.latentlink.core.codec.KvBlockShape;
import io.latentlink.core.codec.KvCodec;
import io.latentlink.core.wire.KvSliceShape;
import io.latentlink.core.wire.WireException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;

/**
 * A core {@link KvCodec} applied to a whole chunk, the tensor {@code [layers, 2, kvHeads, tokens, headSize]}.
 * <ul>
 *   <li>Fixed-size codecs: {@code 2 * layers} blocks of {@code [kvHeads, tokens, headSize]}, encoded one after
 *       another; every block has the same exact size, so the payload splits without framing.</li>
 *   <li>Variable-size (entropy-coded) codecs: the keys of all the chunk's layers as one block
 *       {@code [layers * kvHeads, tokens, headSize]}, then the values likewise, after a 4-byte little-endian length
 *       of the keys' block. Two blocks, not {@code 2 * layers}: one entropy table per chunk side, and keys and values
 *       (whose code statistics differ) each get their own.</li>
 * </ul>
 * {@link #maxPayloadBytes} bounds every payload of a shape; {@link #bytesPerElement} is the per-element bound that
 * {@link io.latentlink.core.wire.ChunkPlanner} budgets chunks with.
 */
public final class PayloadCodec {

    private static final int GROUP_LENGTH_BYTES = Integer.BYTES;

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

    /**
     * Wire bytes per element of a one-layer, one-token chunk, framing included: an upper bound for chunks of any
     * layer and token count (every codec's per-chunk overhead is at most that of the smallest chunk).
     */
    public double bytesPerElement(int kvHeads, int headSize) {
        KvSliceShape one = new KvSliceShape(0, 1, 0, 1, kvHeads, headSize);
        return maxPayloadBytes(one) / (double) one.elements();
    }

    /** The largest payload a chunk of this shape can take. */
    public long maxPayloadBytes(KvSliceShape shape) {
        if (codec.fixedSize()) {
            return 2L * shape.layers() * codec.encodedSize(blockShape(shape));
        }
        return GROUP_LENGTH_BYTES + 2L * codec.encodedSize(groupShape(shape));
    }

    public byte[] encode(float[] values, KvSliceShape shape) {
        if (values.length != shape.elements()) {
            throw new IllegalArgumentException("chunk has " + values.length + " values, shape " + shape + " needs "
                    + shape.elements());
        }
        return codec.fixedSize() ? encodeBlocks(values, shape) : encodeGroups(values, shape);
    }

    private byte[] encodeBlocks(float[] values, KvSliceShape shape) {
        KvBlockShape block = blockShape(shape);
        int blocks = 2 * shape.layers();
        int blockElements = block.elements();
        ByteBuffer out = ByteBuffer.allocate(blocks * codec.encodedSize(block)).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer src = FloatBuffer.wrap(values);
        for (int b = 0; b < blocks; b++) {
            codec.encode(src.slice(b * blockElements, blockElements), block, out);
        }
        return out.array();
    }

    private byte[] encodeGroups(float[] values, KvSliceShape shape) {
        KvBlockShape group = groupShape(shape);
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(maxPayloadBytes(shape))).order(ByteOrder.LITTLE_ENDIAN);
        out.position(GROUP_LENGTH_BYTES);
        int keysBytes = codec.encode(FloatBuffer.wrap(gather(values, shape, 0)), group, out);
        out.putInt(0, keysBytes);
        codec.encode(FloatBuffer.wrap(gather(values, shape, 1)), group, out);
        return Arrays.copyOf(out.array(), out.position());
    }

    /** Decodes a chunk payload; throws WireException(CORRUPT) if it is not a valid encoding of this shape. */
    public float[] decode(ByteBuffer payload, KvSliceShape shape) {
        long max = maxPayloadBytes(shape);
        if (codec.fixedSize() ? payload.remaining() != max : payload.remaining() > max) {
            throw new WireException(WireException.Kind.CORRUPT, codec.id() + " payload has " + payload.remaining()
                    + " bytes, shape " + Arrays.toString(shape.dims()) + (codec.fixedSize() ? " needs " : " allows at most ")
                    + max);
        }
        try {
            return codec.fixedSize() ? decodeBlocks(payload, shape) : decodeGroups(payload, shape);
        } catch (CorruptPayloadException e) {
            throw new WireException(WireException.Kind.CORRUPT, e.getMessage());
        }
    }

    private float[] decodeBlocks(ByteBuffer payload, KvSliceShape shape) {
        KvBlockShape block = blockShape(shape);
        int blocks = 2 * shape.layers();
        int blockBytes = codec.encodedSize(block);
        float[] out = new float[blocks * block.elements()];
        FloatBuffer dst = FloatBuffer.wrap(out);
        ByteBuffer src = payload.duplicate();
        int base = src.position();
        for (int b = 0; b < blocks; b++) {
            ByteBuffer one = src.duplicate().position(base + b * blockBytes).limit(base + (b + 1) * blockBytes);
            codec.decode(one, block, dst.slice(b * block.elements(), block.elements()));
        }
        return out;
    }

    private float[] decodeGroups(ByteBuffer payload, KvSliceShape shape) {
        KvBlockShape group = groupShape(shape);
        ByteBuffer src = payload.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int base = src.position();
        if (src.remaining() < GROUP_LENGTH_BYTES) {
            throw new CorruptPayloadException(codec.id() + " payload of " + src.remaining()
                    + " bytes has no keys' length");
        }
        long keysBytes = Integer.toUnsignedLong(src.getInt(base));
        if (keysBytes > src.remaining() - GROUP_LENGTH_BYTES) {
            throw new CorruptPayloadException(codec.id() + " payload says its keys take " + keysBytes
                    + " bytes, but only " + (src.remaining() - GROUP_LENGTH_BYTES) + " follow");
        }
        int keysEnd = base + GROUP_LENGTH_BYTES + (int) keysBytes;
        float[] keys = new float[group.elements()];
        float[] vals = new float[group.elements()];
        codec.decode(src.duplicate().position(base + GROUP_LENGTH_BYTES).limit(keysEnd), group, FloatBuffer.wrap(keys));
        codec.decode(src.duplicate().position(keysEnd), group, FloatBuffer.wrap(vals));
        float[] out = new float[shape.elements()];
        int block = blockShape(shape).elements();
        for (int l = 0; l < shape.layers(); l++) {
            System.arraycopy(keys, l * block, out, 2 * l * block, block);
            System.arraycopy(vals, l * block, out, (2 * l + 1) * block, block);
        }
        return out;
    }

    /** The keys ({@code kv = 0}) or values ({@code kv = 1}) of every layer, packed {@code [layers * kvHeads, ...]}. */
    private static float[] gather(float[] values, KvSliceShape shape, int kv) {
        int block = shape.kvHeads() * shape.tokens() * shape.headSize();
        float[] group = new float[shape.layers() * block];
        for (int l = 0; l < shape.layers(); l++) {
            System.arraycopy(values, (2 * l + kv) * block, group, l * block, block);
        }
        return group;
    }

    private static KvBlockShape blockShape(KvSliceShape shape) {
        return new KvBlockShape(shape.kvHeads(), shape.tokens(), shape.headSize());
    }

    private static KvBlockShape groupShape(KvSliceShape shape) {
        return new KvBlockShape(shape.layers() * shape.kvHeads(), shape.tokens(), shape.headSize());
    }
}
