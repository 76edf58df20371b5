package io.latentlink.core.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.function.LongSupplier;

/**
 * A read-only, zero-copy view of one K or V tensor of shape {@code [heads, tokens, headDim]} fp32.
 *
 * <p>Views taken from a {@link KvCache} cover a token range of one layer. The cache stores each layer packed as
 * {@code [heads, tokens, headDim]}, so a view of all tokens of a layer (or any view with one head) is contiguous, and a
 * view of a narrower token range is strided: the heads are {@link #headStride()} floats apart. Nothing is copied until
 * you ask for it ({@link #copyTo}, {@link #toArray}, or {@link #contiguous()} on a strided view).
 *
 * <p>A view from a cache is valid until the cache next changes its structure (append, truncate, close). Using it
 * after that throws {@link IllegalStateException} instead of reading moved or freed memory. Views made with
 * {@link #wrap} over a caller's buffer never go stale.
 *
 * <p>Views are immutable and safe to read from several threads while their cache is not being changed.
 */
public final class KvView {
    private final FloatBuffer data;
    private final int offset;
    private final int heads;
    private final int tokens;
    private final int headDim;
    private final int headStride;
    private final LongSupplier generationSource;
    private final long generation;

    KvView(FloatBuffer data, int offset, int heads, int tokens, int headDim, int headStride,
           LongSupplier generationSource, long generation) {
        this.data = data;
        this.offset = offset;
        this.heads = heads;
        this.tokens = tokens;
        this.headDim = headDim;
        this.headStride = headStride;
        this.generationSource = generationSource;
        this.generation = generation;
    }

    /**
     * Wraps a packed {@code [heads, tokens, headDim]} fp32 buffer without copying. The view reads the buffer from
     * index 0 to its limit, which must hold exactly {@code heads * tokens * headDim} floats.
     */
    public static KvView wrap(FloatBuffer packed, int heads, int tokens, int headDim) {
        checkShape(heads, tokens, headDim);
        long expected = (long) heads * tokens * headDim;
        if (packed.limit() != expected) {
            throw new IllegalArgumentException("buffer holds " + packed.limit() + " floats but shape ["
                    + heads + ", " + tokens + ", " + headDim + "] needs " + expected);
        }
        return new KvView(packed, 0, heads, tokens, headDim, tokens * headDim, () -> 0, 0);
    }

    /** Copies a packed {@code [heads, tokens, headDim]} array into a new direct buffer and wraps it. */
    public static KvView of(float[] packed, int heads, int tokens, int headDim) {
        checkShape(heads, tokens, headDim);
        if (packed.length != (long) heads * tokens * headDim) {
            throw new IllegalArgumentException("array holds " + packed.length + " floats but shape ["
                    + heads + ", " + tokens + ", " + headDim + "] needs " + (long) heads * tokens * headDim);
        }
        FloatBuffer buffer = ByteBuffer.allocateDirect(packed.length * Float.BYTES).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        buffer.put(0, packed);
        return wrap(buffer, heads, tokens, headDim);
    }

    /**
     * Wraps packed {@code [heads, tokens, headDim]} bytes (for example a decoded wire chunk) without copying.
     *
     * @throws IllegalArgumentException if {@code dtype} is not FLOAT32 or the byte count does not match the shape
     */
    public static KvView wrapBytes(ByteBuffer packed, DType dtype, int heads, int tokens, int headDim) {
        if (dtype != DType.FLOAT32) {
            throw new IllegalArgumentException("KV tensors are fp32; got " + dtype + " (decode it with its codec first)");
        }
        checkShape(heads, tokens, headDim);
        long expected = (long) heads * tokens * headDim * Float.BYTES;
        if (packed.remaining() != expected) {
            throw new IllegalArgumentException("buffer holds " + packed.remaining() + " bytes but fp32 shape ["
                    + heads + ", " + tokens + ", " + headDim + "] needs " + expected);
        }
        FloatBuffer floats = packed.slice().order(packed.order()).asFloatBuffer();
        return wrap(floats, heads, tokens, headDim);
    }

    private static void checkShape(int heads, int tokens, int headDim) {
        if (heads <= 0 || tokens < 0 || headDim <= 0) {
            throw new IllegalArgumentException("bad KV shape [" + heads + ", " + tokens + ", " + headDim + "]");
        }
    }

    public int heads() {
        return heads;
    }

    public int tokens() {
        return tokens;
    }

    public int headDim() {
        return headDim;
    }

    /** Floats between the starts of consecutive heads in the underlying buffer. */
    public int headStride() {
        return headStride;
    }

    /** Number of floats in the view: {@code heads * tokens * headDim}. */
    public long elementCount() {
        return (long) heads * tokens * headDim;
    }

    /** Bytes of the view's content (fp32). */
    public long byteSize() {
        return elementCount() * Float.BYTES;
    }

    /** Whether the view's floats lie back to back, so {@link #contiguous()} costs no copy. */
    public boolean isContiguous() {
        return heads == 1 || tokens == 0 || headStride == tokens * headDim;
    }

    /** Element {@code [head, token, dim]}. */
    public float get(int head, int token, int dim) {
        checkLive();
        if (head < 0 || head >= heads || token < 0 || token >= tokens || dim < 0 || dim >= headDim) {
            throw new IndexOutOfBoundsException("index [" + head + ", " + token + ", " + dim + "] outside shape "
                    + shapeString());
        }
        return data.get(offset + head * headStride + token * headDim + dim);
    }

    /** A narrower token range {@code [from, to)} of this view; never copies. */
    public KvView tokens(int from, int to) {
        checkLive();
        if (from < 0 || to < from || to > tokens) {
            throw new IndexOutOfBoundsException("token range [" + from + ", " + to + ") outside [0, " + tokens + ")");
        }
        return new KvView(data, offset + from * headDim, heads, to - from, headDim, headStride,
                generationSource, generation);
    }

    /** Copies the view, packed {@code [heads, tokens, headDim]}, into {@code dst} starting at index {@code dstIndex}. */
    public void copyTo(FloatBuffer dst, int dstIndex) {
        checkLive();
        if (dstIndex < 0 || dstIndex + elementCount() > dst.limit()) {
            throw new IndexOutOfBoundsException("destination of " + dst.limit() + " floats cannot take "
                    + elementCount() + " floats at " + dstIndex);
        }
        int run = tokens * headDim;
        if (isContiguous()) {
            dst.put(dstIndex, data, offset, (int) elementCount());
            return;
        }
        for (int h = 0; h < heads; h++) {
            dst.put(dstIndex + h * run, data, offset + h * headStride, run);
        }
    }

    /** The view's content as a packed {@code [heads, tokens, headDim]} array (copies). */
    public float[] toArray() {
        checkLive();
        float[] out = new float[(int) elementCount()];
        int run = tokens * headDim;
        for (int h = 0; h < heads; h++) {
            data.get(offset + h * headStride, out, h * run, run);
        }
        return out;
    }

    /**
     * A packed {@code [heads, tokens, headDim]} buffer with the view's content, indexed from 0. Zero-copy when
     * {@link #isContiguous()} (the buffer then aliases the cache and is valid only while this view is); otherwise a
     * fresh direct buffer holding a copy.
     *
     * <p>This is the hand-off to native code such as ONNX Runtime: pass it within the same call and do not keep it,
     * because a cache frees its memory promptly on growth and on close.
     */
    public FloatBuffer contiguous() {
        checkLive();
        if (isContiguous()) {
            return data.slice(offset, (int) elementCount());
        }
        FloatBuffer copy = ByteBuffer.allocateDirect((int) byteSize()).order(ByteOrder.nativeOrder()).asFloatBuffer();
        copyTo(copy, 0);
        return copy;
    }

    /**
     * The view's memory without any copy, as a buffer indexed from 0 where element {@code [h, t, d]} sits at
     * {@code h * headStride() + t * headDim() + d} (what a strided consumer such as a KV codec takes, together with
     * {@link #headStride()}). Same lifetime rule as {@link #contiguous()}: use it within the call, do not keep it.
     */
    public FloatBuffer stridedBuffer() {
        checkLive();
        int length = heads == 0 || tokens == 0 ? 0 : (heads - 1) * headStride + tokens * headDim;
        return data.slice(offset, length);
    }

    /** Whether the view can still be read (its cache has not changed structure since the view was taken). */
    public boolean isLive() {
        return generationSource.getAsLong() == generation;
    }

    void checkLive() {
        if (!isLive()) {
            throw new IllegalStateException("stale KV view: its cache was appended to, truncated or closed after "
                    + "the view was taken; take a new view");
        }
    }

    FloatBuffer data() {
        return data;
    }

    int offset() {
        return offset;
    }

    String shapeString() {
        return "[" + heads + ", " + tokens + ", " + headDim + "]";
    }

    @Override
    public String toString() {
        return "KvView" + shapeString() + (isContiguous() ? "" : " strided(" + headStride + ")");
    }
}
