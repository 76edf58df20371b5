package io.latentlink.core.codec;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * Turns one fp32 KV block {@code [heads, tokens, headDim]} into bytes for the wire and back.
 *
 * <p><b>Buffers.</b> The float side is addressed, the byte side is streamed:
 * <ul>
 *   <li>Values of head {@code h}, token {@code t}, channel {@code d} live at float index
 *       {@code position + h * headStride + t * headDim + d} of the {@link FloatBuffer}; its position and limit are
 *       never changed. {@code headStride} lets a codec read a token range straight out of a larger
 *       {@code [heads, P, headDim]} cache (stride {@code P * headDim}) or write into one, with no copy.</li>
 *   <li>{@code encode} writes at the {@link ByteBuffer}'s position and advances it; {@code decode} takes the bytes
 *       from position to limit as exactly one encoded block and advances the position to the limit.</li>
 * </ul>
 * Buffers may be direct or heap; all payload numbers are little-endian whatever the buffer's byte order, which is
 * left as it was. Fixed-size implementations copy through small per-call scratch arrays, never the whole block; an
 * entropy-coded codec needs one scratch copy of its (four times smaller) quantised payload.
 *
 * <p><b>Errors.</b> Encoding checks bounds up front and throws {@link IllegalArgumentException} (a too-small
 * destination, a stride that overlaps heads, non-finite input for a codec that cannot carry it) without writing.
 * Decoding a payload of the wrong length, or with values no encoder writes, throws {@link CorruptPayloadException}
 * and never reads outside {@code [position, limit)}.
 *
 * <p>Codecs are stateless and safe to share between threads.
 */
public interface KvCodec {

    /** The id and parameters that a chunk header carries so the peer can rebuild this codec. */
    CodecSpec spec();

    /** Shortcut for {@code spec().id()}. */
    default String id() {
        return spec().id();
    }

    /** Whether decode(encode(x)) == x bit for bit. */
    boolean lossless();

    /**
     * Size in bytes of the encoded form of a block of this shape: exact for {@linkplain #fixedSize() fixed-size}
     * codecs, the largest possible for variable-size ones (what a destination must have room for, and what chunk
     * planning budgets with).
     */
    int encodedSize(KvBlockShape shape);

    /**
     * Whether every block of one shape encodes to exactly {@link #encodedSize} bytes. Variable-size codecs (an
     * entropy-coded stage) write at most that many, and {@link #encode} returns how many; a reader must then learn
     * each block's length from its framing.
     */
    default boolean fixedSize() {
        return true;
    }

    /**
     * Encodes one block.
     *
     * @param src        the values, laid out as described above
     * @param shape      the block's shape
     * @param headStride floats between the starts of consecutive heads in {@code src}, at least
     *                   {@code tokens * headDim}
     * @param dst        receives the encoded block at its position, which advances past it; it must have room for
     *                   {@link #encodedSize} bytes
     * @return the number of bytes written ({@link #encodedSize} for fixed-size codecs)
     * @throws IllegalArgumentException if {@code src} is too short, {@code dst} has too little room, the stride
     *                                  is too small, or the values cannot be encoded
     */
    int encode(FloatBuffer src, KvBlockShape shape, int headStride, ByteBuffer dst);

    /** Encodes a contiguous block ({@code headStride = tokens * headDim}). */
    default int encode(FloatBuffer src, KvBlockShape shape, ByteBuffer dst) {
        return encode(src, shape, shape.contiguousHeadStride(), dst);
    }

    /**
     * Decodes one block.
     *
     * @param src        exactly one encoded block between position and limit; the position advances to the limit
     * @param shape      the block's shape, from the chunk header
     * @param dst        receives the values, laid out as described above
     * @param headStride floats between the starts of consecutive heads in {@code dst}
     * @throws CorruptPayloadException  if {@code src} is not a valid encoding of a block of this shape
     * @throws IllegalArgumentException if {@code dst} is too short or the stride too small
     */
    void decode(ByteBuffer src, KvBlockShape shape, FloatBuffer dst, int headStride);

    /** Decodes into a contiguous block ({@code headStride = tokens * headDim}). */
    default void decode(ByteBuffer src, KvBlockShape shape, FloatBuffer dst) {
        decode(src, shape, dst, shape.contiguousHeadStride());
    }
}
