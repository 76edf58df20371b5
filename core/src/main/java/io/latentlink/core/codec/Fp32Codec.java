package io.latentlink.core.codec;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/** Raw little-endian fp32: the lossless reference, 4 bytes per value. */
final class Fp32Codec implements KvCodec {

    static final String ID = "fp32";
    private static final CodecSpec SPEC = CodecSpec.of(ID);

    @Override
    public CodecSpec spec() {
        return SPEC;
    }

    @Override
    public boolean lossless() {
        return true;
    }

    @Override
    public int encodedSize(KvBlockShape shape) {
        return shape.fp32Bytes();
    }

    @Override
    public int encode(FloatBuffer src, KvBlockShape shape, int headStride, ByteBuffer dst) {
        Blocks.checkFloats(src, shape, headStride, "source");
        int size = encodedSize(shape);
        FloatBuffer out = Blocks.destination(dst, size, SPEC, shape).asFloatBuffer();
        int perHead = shape.contiguousHeadStride();
        for (int h = 0; h < shape.heads() && perHead > 0; h++) {
            out.put(h * perHead, src, src.position() + h * headStride, perHead);
        }
        dst.position(dst.position() + size);
        return size;
    }

    @Override
    public void decode(ByteBuffer src, KvBlockShape shape, FloatBuffer dst, int headStride) {
        Blocks.checkFloats(dst, shape, headStride, "destination");
        int size = encodedSize(shape);
        FloatBuffer in = Blocks.payload(src, size, SPEC, shape).asFloatBuffer();
        int perHead = shape.contiguousHeadStride();
        for (int h = 0; h < shape.heads() && perHead > 0; h++) {
            dst.put(dst.position() + h * headStride, in, h * perHead, perHead);
        }
        src.position(src.limit());
    }

    @Override
    public String toString() {
        return SPEC.toString();
    }
}
