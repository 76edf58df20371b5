package io.latentlink.core.codec;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * int8 followed by a lossless zstd stage: the {@link Int8Codec} payload (scales, then codes) of the block, compressed.
 * Decoded values are bit for bit those of the same int8 codec; only the byte count changes.
 *
 * <p>Payload: one mode byte, then
 * <ul>
 *   <li>{@value #STORED} (stored): the int8 payload as is, when zstd would not make it smaller;</li>
 *   <li>{@value #ZSTD} (zstd): one zstd frame that decompresses to exactly the int8 payload, and is smaller than it.</li>
 * </ul>
 * A block of zero tokens is zero bytes. So a block never takes more than {@code 1 + int8 size} bytes
 * ({@link #encodedSize}), which chunk planning uses as the bound. Decompression writes into a buffer of exactly the
 * int8 payload's size, so a damaged or hostile frame cannot expand past it; any frame that does not decompress to
 * exactly that size, a mode byte no encoder writes, or a stored or compressed body of the wrong length is a
 * {@link CorruptPayloadException}.
 *
 * <p>zstd contexts are pooled (one per thread that has encoded or decoded concurrently), since making one per call
 * halves the encoding speed on KV-sized blocks.
 */
final class Int8ZstdCodec implements KvCodec {

    static final String ID = "int8z";
    static final String LEVEL_PARAM = "level";
    static final int DEFAULT_LEVEL = 1;
    static final byte STORED = 0;
    static final byte ZSTD = 1;

    private static final ConcurrentLinkedQueue<ZstdCompressCtx> COMPRESSORS = new ConcurrentLinkedQueue<>();
    private static final ConcurrentLinkedQueue<ZstdDecompressCtx> DECOMPRESSORS = new ConcurrentLinkedQueue<>();

    private final Int8Codec int8;
    private final int level;
    private final CodecSpec spec;

    Int8ZstdCodec(Int8Codec int8, int level) {
        this.int8 = int8;
        this.level = level;
        Map<String, String> params = new TreeMap<>(int8.spec().params());
        params.put(LEVEL_PARAM, Integer.toString(level));
        this.spec = new CodecSpec(ID, params);
    }

    /** The level parameter: an integer 1..19, absent meaning {@value #DEFAULT_LEVEL}. */
    static int parseLevel(String value) {
        if (value == null) {
            return DEFAULT_LEVEL;
        }
        try {
            int level = Integer.parseInt(value);
            if (level >= 1 && level <= 19) {
                return level;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("int8z parameter level='" + value + "' is not an integer 1..19");
    }

    int level() {
        return level;
    }

    @Override
    public CodecSpec spec() {
        return spec;
    }

    @Override
    public boolean lossless() {
        return false;
    }

    @Override
    public boolean fixedSize() {
        return false;
    }

    @Override
    public int encodedSize(KvBlockShape shape) {
        int raw = int8.encodedSize(shape);
        if (raw == 0) {
            return 0;
        }
        if (raw == Integer.MAX_VALUE) {
            throw new IllegalArgumentException("int8z encoding of block " + shape + " exceeds 2 GiB");
        }
        return 1 + raw;
    }

    @Override
    public int encode(FloatBuffer src, KvBlockShape shape, int headStride, ByteBuffer dst) {
        Blocks.checkFloats(src, shape, headStride, "source");
        ByteBuffer out = Blocks.destination(dst, encodedSize(shape), spec, shape);
        int rawSize = int8.encodedSize(shape);
        if (rawSize == 0) {
            return 0;
        }
        byte[] raw = new byte[rawSize];
        int8.encode(src, shape, headStride, ByteBuffer.wrap(raw));
        // Room for one byte less than the raw payload: a frame that does not fit is not worth sending.
        byte[] packed = new byte[rawSize - 1];
        int packedSize = compress(raw, packed);
        int written;
        if (packedSize > 0) {
            out.put(0, ZSTD).put(1, packed, 0, packedSize);
            written = 1 + packedSize;
        } else {
            out.put(0, STORED).put(1, raw, 0, rawSize);
            written = 1 + rawSize;
        }
        dst.position(dst.position() + written);
        return written;
    }

    /** Compresses into {@code packed}; returns the frame's size, or -1 if it does not fit. */
    private int compress(byte[] raw, byte[] packed) {
        if (packed.length == 0) {
            return -1;
        }
        ZstdCompressCtx ctx = COMPRESSORS.poll();
        if (ctx == null) {
            ctx = new ZstdCompressCtx();
        }
        try {
            ctx.setLevel(level);
            return ctx.compressByteArray(packed, 0, packed.length, raw, 0, raw.length);
        } catch (ZstdException e) {
            return -1; // "destination buffer is too small": incompressible, stored instead
        } finally {
            COMPRESSORS.offer(ctx);
        }
    }

    @Override
    public void decode(ByteBuffer src, KvBlockShape shape, FloatBuffer dst, int headStride) {
        Blocks.checkFloats(dst, shape, headStride, "destination");
        int rawSize = int8.encodedSize(shape);
        int size = src.remaining();
        if (rawSize == 0 ? size != 0 : size < 1 || size > 1 + rawSize) {
            throw new CorruptPayloadException(spec + " payload for block " + shape + " must be "
                    + (rawSize == 0 ? "0" : "1.." + (1 + rawSize)) + " bytes but is " + size);
        }
        if (rawSize == 0) {
            return;
        }
        int at = src.position();
        byte mode = src.get(at);
        ByteBuffer int8Payload;
        if (mode == STORED) {
            int8Payload = src.slice(at + 1, size - 1);
        } else if (mode == ZSTD) {
            if (size - 1 >= rawSize) {
                throw new CorruptPayloadException(spec + " payload for block " + shape + " holds a zstd frame of "
                        + (size - 1) + " bytes; the encoder stores blocks of " + rawSize + " bytes or more as is");
            }
            int8Payload = ByteBuffer.wrap(decompress(src, at + 1, size - 1, rawSize, shape));
        } else {
            throw new CorruptPayloadException(spec + " payload for block " + shape + " starts with mode " + mode
                    + "; the encoder writes 0 (stored) or 1 (zstd)");
        }
        try {
            int8.decode(int8Payload, shape, dst, headStride);
        } catch (CorruptPayloadException e) {
            throw new CorruptPayloadException(ID + ": " + e.getMessage());
        }
        src.position(src.limit());
    }

    /** Decompresses exactly {@code rawSize} bytes; the output buffer's size is the hard bound on expansion. */
    private byte[] decompress(ByteBuffer src, int offset, int length, int rawSize, KvBlockShape shape) {
        byte[] frame;
        int frameAt;
        if (src.hasArray()) {
            frame = src.array();
            frameAt = src.arrayOffset() + offset;
        } else {
            frame = new byte[length];
            src.get(offset, frame, 0, length);
            frameAt = 0;
        }
        byte[] raw = new byte[rawSize];
        ZstdDecompressCtx ctx = DECOMPRESSORS.poll();
        if (ctx == null) {
            ctx = new ZstdDecompressCtx();
        }
        int n;
        try {
            n = ctx.decompressByteArray(raw, 0, rawSize, frame, frameAt, length);
        } catch (ZstdException e) {
            throw new CorruptPayloadException(spec + " payload for block " + shape + " is not a zstd frame of "
                    + rawSize + " bytes: " + e.getMessage());
        } finally {
            DECOMPRESSORS.offer(ctx);
        }
        if (n != rawSize) {
            throw new CorruptPayloadException(spec + " payload for block " + shape + " decompresses to " + n
                    + " bytes, not " + rawSize);
        }
        return raw;
    }

    @Override
    public String toString() {
        return spec.toString();
    }
}
