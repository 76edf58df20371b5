package io.latentlink.core.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/** Bounds checks and buffer plumbing shared by the codecs. */
final class Blocks {

    /** Floats processed per scratch tile: small enough for L1/L2, large enough to amortise the bulk copies. */
    static final int TILE_FLOATS = 8192;

    private Blocks() {
    }

    /** Rows of {@code headDim} values per tile, at least one. */
    static int rowsPerTile(int headDim) {
        return Math.max(1, TILE_FLOATS / headDim);
    }

    /** Checks that a block laid out with {@code headStride} fits in {@code buf} from its position. */
    static void checkFloats(FloatBuffer buf, KvBlockShape shape, int headStride, String role) {
        int rowFloats = shape.contiguousHeadStride();
        if (headStride < rowFloats) {
            throw new IllegalArgumentException("head stride " + headStride + " is smaller than tokens * headDim = "
                    + rowFloats + " for block " + shape);
        }
        long needed = shape.tokens() == 0 ? 0 : (long) (shape.heads() - 1) * headStride + rowFloats;
        if (needed > buf.remaining()) {
            throw new IllegalArgumentException(role + " holds " + buf.remaining() + " floats but block " + shape
                    + " with head stride " + headStride + " needs " + needed);
        }
    }

    /** Checks room for {@code size} bytes and returns a little-endian view whose index 0 is {@code dst}'s position. */
    static ByteBuffer destination(ByteBuffer dst, int size, CodecSpec spec, KvBlockShape shape) {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("destination buffer is read-only");
        }
        if (dst.remaining() < size) {
            throw new IllegalArgumentException(spec + " needs " + size + " bytes for block " + shape
                    + " but the destination has " + dst.remaining());
        }
        return dst.slice(dst.position(), size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Checks that {@code src} holds exactly {@code size} bytes and returns a little-endian view of them. */
    static ByteBuffer payload(ByteBuffer src, int size, CodecSpec spec, KvBlockShape shape) {
        if (src.remaining() != size) {
            throw new CorruptPayloadException(spec + " payload for block " + shape + " must be " + size
                    + " bytes but is " + src.remaining());
        }
        return src.slice(src.position(), size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
