package io.latentlink.core.tensor;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * An off-heap KV cache for one sequence (batch 1).
 *
 * <h2>Layout</h2>
 * Each layer holds K and V in separate direct buffers, each packed fp32 {@code [kvHeads, tokens, headDim]} for the
 * layer's current token count (the layout ONNX Runtime takes for {@code past_key_values.N.*} without the batch
 * dimension). Buffers have spare capacity so appends rarely reallocate; on an append that fits, the heads are moved
 * apart in place to keep the packing. Layers may temporarily hold different token counts (a receiver fills them
 * layer by layer), in which case {@link #tokens()} refuses to answer and {@link #tokens(int)} tells per layer.
 *
 * <h2>Views and copies</h2>
 * <ul>
 *   <li>{@link #keys(int)} / {@link #values(int)}: all tokens of a layer, a contiguous zero-copy view.</li>
 *   <li>{@link #keys(int, int, int)} and {@link #slice}: token and layer ranges, zero-copy views; a token range
 *       narrower than the layer is strided, and becomes a copy only when made contiguous ({@link KvView#contiguous()},
 *       {@link KvView#copyTo}).</li>
 *   <li>{@link #append} and {@link #replace} copy the given views into the cache; an append that fits moves the
 *       layer's later heads apart in place (O(tokens held), like the concat inside a decoder graph).</li>
 *   <li>{@link #rewrite} lets a producer that writes whole layers (a decoder session's present outputs) fill a second
 *       set of buffers that then swaps in: no copy at all.</li>
 * </ul>
 * Views go stale (and then throw) when the cache is appended to, truncated or closed.
 *
 * <h2>Memory</h2>
 * {@link #bytesHeld()} is the capacity this cache holds (both buffer sets once {@link #rewrite} has been used);
 * {@link #totalBytesHeld()} sums every open cache in the process.
 * {@link #close()} releases the memory at once and brings both back down. A cache never grows past
 * {@link #maxTokens()}.
 *
 * <p>Not thread-safe: one sequence, one owner. Read-only views may be read from other threads while the owner does not
 * change the cache.
 */
public final class KvCache implements AutoCloseable {
    private static final int MIN_GROWTH_TOKENS = 16;

    private final KvLayout layout;
    private final int maxTokens;
    private final ByteBuffer[] keyBytes;
    private final ByteBuffer[] valueBytes;
    private final FloatBuffer[] keys;
    private final FloatBuffer[] values;
    private final int[] tokens;
    private final int[] capacity;
    // Second buffers per layer, allocated on the first rewrite(): a producer that rewrites whole layers (ORT's present
    // outputs) writes here while the current buffers are still being read, then the two swap.
    private final ByteBuffer[] backKeyBytes;
    private final ByteBuffer[] backValueBytes;
    private long generation;
    private long bytesHeld;
    private boolean closed;

    private KvCache(KvLayout layout, int initialCapacity, int maxTokens) {
        this.layout = layout;
        this.maxTokens = maxTokens;
        int layers = layout.layers();
        keyBytes = new ByteBuffer[layers];
        valueBytes = new ByteBuffer[layers];
        keys = new FloatBuffer[layers];
        values = new FloatBuffer[layers];
        tokens = new int[layers];
        capacity = new int[layers];
        backKeyBytes = new ByteBuffer[layers];
        backValueBytes = new ByteBuffer[layers];
        try {
            for (int l = 0; l < layers; l++) {
                allocateLayer(l, initialCapacity);
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            close();
            throw e;
        }
    }

    /**
     * Allocates an empty cache.
     *
     * @param layout          layers, kv heads and head size
     * @param initialCapacity tokens to reserve per layer up front (0 allowed; the cache grows as needed)
     * @param maxTokens       hard limit on tokens per layer (usually the model's context length)
     */
    public static KvCache allocate(KvLayout layout, int initialCapacity, int maxTokens) {
        if (maxTokens <= 0 || initialCapacity < 0 || initialCapacity > maxTokens) {
            throw new IllegalArgumentException("need 0 <= initialCapacity <= maxTokens and maxTokens > 0, got "
                    + initialCapacity + " and " + maxTokens);
        }
        return new KvCache(layout, initialCapacity, maxTokens);
    }

    /** Bytes held by every open cache in this process (the number a node watches to prove bounded memory). */
    public static long totalBytesHeld() {
        return OffHeap.held();
    }

    /**
     * The largest {@link #totalBytesHeld()} since the process started or since {@link #resetPeakBytesHeld()}; exact,
     * since it is updated on every allocation.
     */
    public static long peakBytesHeld() {
        return OffHeap.peak();
    }

    /** Starts a new {@link #peakBytesHeld()} measurement from the bytes held now. */
    public static void resetPeakBytesHeld() {
        OffHeap.resetPeak();
    }

    public KvLayout layout() {
        return layout;
    }

    public int maxTokens() {
        return maxTokens;
    }

    /** Off-heap bytes this cache holds now (its capacity, K and V, all layers); 0 once closed. */
    public long bytesHeld() {
        return bytesHeld;
    }

    /** Tokens held by every layer. @throws IllegalStateException if layers hold different counts */
    public int tokens() {
        checkOpen();
        int t = tokens[0];
        for (int l = 1; l < tokens.length; l++) {
            if (tokens[l] != t) {
                throw new IllegalStateException("layers hold different token counts (layer 0: " + t + ", layer " + l
                        + ": " + tokens[l] + ")");
            }
        }
        return t;
    }

    /** Tokens held by one layer. */
    public int tokens(int layer) {
        checkOpen();
        checkLayer(layer);
        return tokens[layer];
    }

    /** All tokens of a layer's K: contiguous, zero-copy. */
    public KvView keys(int layer) {
        return keys(layer, 0, tokens(layer));
    }

    /** All tokens of a layer's V: contiguous, zero-copy. */
    public KvView values(int layer) {
        return values(layer, 0, tokens(layer));
    }

    /** K of tokens {@code [from, to)} of a layer: zero-copy, strided unless the range is the whole layer. */
    public KvView keys(int layer, int from, int to) {
        return view(keys, layer, from, to);
    }

    /** V of tokens {@code [from, to)} of a layer: zero-copy, strided unless the range is the whole layer. */
    public KvView values(int layer, int from, int to) {
        return view(values, layer, from, to);
    }

    /** Views of layers {@code [layerFrom, layerTo)} over tokens {@code [tokenFrom, tokenTo)}; copies nothing. */
    public KvSlice slice(int layerFrom, int layerTo, int tokenFrom, int tokenTo) {
        checkOpen();
        if (layerFrom < 0 || layerTo < layerFrom || layerTo > layout.layers()) {
            throw new IndexOutOfBoundsException("layer range [" + layerFrom + ", " + layerTo + ") outside [0, "
                    + layout.layers() + ")");
        }
        List<KvView> k = new ArrayList<>(layerTo - layerFrom);
        List<KvView> v = new ArrayList<>(layerTo - layerFrom);
        for (int l = layerFrom; l < layerTo; l++) {
            k.add(keys(l, tokenFrom, tokenTo));
            v.add(values(l, tokenFrom, tokenTo));
        }
        return new KvSlice(layerFrom, tokenFrom, tokenTo, k, v);
    }

    /**
     * Appends {@code keys.tokens()} tokens to one layer. Both views must have this cache's kv heads and head size and
     * the same token count. Existing views of this cache go stale.
     *
     * @throws IllegalArgumentException on a shape mismatch
     * @throws IllegalStateException    if the layer would exceed {@link #maxTokens()}
     */
    public void append(int layer, KvView newKeys, KvView newValues) {
        checkOpen();
        checkLayer(layer);
        checkPair(newKeys, newValues, "append to layer " + layer);
        for (int l = 0; l < keys.length; l++) {
            if (newKeys.data() == keys[l] || newKeys.data() == values[l]
                    || newValues.data() == keys[l] || newValues.data() == values[l]) {
                throw new IllegalArgumentException("cannot append a view of this same cache to it; copy it first");
            }
        }
        int add = newKeys.tokens();
        int old = tokens[layer];
        int need = old + add;
        if (need > maxTokens) {
            throw new IllegalStateException("layer " + layer + " would hold " + need + " tokens, over the cache's limit of "
                    + maxTokens);
        }
        generation++;
        if (need > capacity[layer]) {
            grow(layer, Math.min(maxTokens, Math.max(need, Math.max(2 * capacity[layer], MIN_GROWTH_TOKENS))));
        }
        spreadHeads(keys[layer], old, need);
        spreadHeads(values[layer], old, need);
        writeTokens(keys[layer], need, old, newKeys);
        writeTokens(values[layer], need, old, newValues);
        tokens[layer] = need;
    }

    /** Appends the same number of tokens to every layer, from per-layer K and V views (one of each per layer). */
    public void appendAll(List<KvView> newKeys, List<KvView> newValues) {
        if (newKeys.size() != layout.layers() || newValues.size() != layout.layers()) {
            throw new IllegalArgumentException("appendAll needs one K and one V view per layer (" + layout.layers()
                    + "), got " + newKeys.size() + " and " + newValues.size());
        }
        for (int l = 0; l < layout.layers(); l++) {
            append(l, newKeys.get(l), newValues.get(l));
        }
    }

    /**
     * Overwrites a layer's K and V for tokens {@code [from, from + keys.tokens())} (e.g. fused KV written back).
     * The range must already be held. Views stay live and see the new values.
     */
    public void replace(int layer, int from, KvView newKeys, KvView newValues) {
        checkOpen();
        checkLayer(layer);
        checkPair(newKeys, newValues, "replace in layer " + layer);
        int to = from + newKeys.tokens();
        if (from < 0 || to > tokens[layer]) {
            throw new IndexOutOfBoundsException("replace range [" + from + ", " + to + ") outside the layer's "
                    + tokens[layer] + " tokens (layer " + layer + ")");
        }
        writeTokens(keys[layer], tokens[layer], from, newKeys);
        writeTokens(values[layer], tokens[layer], from, newValues);
    }

    /**
     * Starts an append of {@code addedTokens} tokens to every layer by a producer that writes each layer whole:
     * old tokens followed by new ones, packed {@code [kvHeads, tokens() + addedTokens, headDim]}, into buffers this
     * cache provides. This is how a decoder session lets ONNX Runtime write its {@code present.N.*} outputs straight
     * into the cache: ORT reads the past from the current buffers and writes the present into the second ones, then
     * {@link Rewrite#commit()} swaps them, with no copy and no per-step allocation.
     *
     * <p>Costs a second set of buffers per layer (allocated on first use, counted in {@link #bytesHeld()}). Until the
     * commit the cache and its views are unchanged; closing the rewrite without committing discards it.
     *
     * @throws IllegalStateException if layers hold different token counts or the result would exceed
     *                               {@link #maxTokens()}
     */
    public Rewrite rewrite(int addedTokens) {
        int t = tokens();
        int need = t + addedTokens;
        if (addedTokens <= 0) {
            throw new IllegalArgumentException("a rewrite must add at least one token, got " + addedTokens);
        }
        if (need > maxTokens) {
            throw new IllegalStateException("the cache would hold " + need + " tokens, over its limit of " + maxTokens);
        }
        int wanted = Math.min(maxTokens, Math.max(need, Math.max(2 * capacity[0], MIN_GROWTH_TOKENS)));
        for (int l = 0; l < tokens.length; l++) {
            if (backKeyBytes[l] == null || backKeyBytes[l].capacity() < bytesFor(need)) {
                releaseBack(l);
                long bytes = bytesFor(wanted);
                backKeyBytes[l] = OffHeap.allocate(bytes);
                bytesHeld += bytes;
                backValueBytes[l] = OffHeap.allocate(bytes);
                bytesHeld += bytes;
            }
        }
        return new Rewrite(need, generation);
    }

    /**
     * An append in progress, from {@link #rewrite(int)}: fill {@link #keys(int)} and {@link #values(int)} for every
     * layer, then {@link #commit()}.
     */
    public final class Rewrite implements AutoCloseable {
        private final int newTokens;
        private final long startGeneration;
        private boolean done;

        private Rewrite(int newTokens, long startGeneration) {
            this.newTokens = newTokens;
            this.startGeneration = startGeneration;
        }

        /** Tokens each layer holds after the commit. */
        public int newTokens() {
            return newTokens;
        }

        /** Where layer {@code layer}'s K goes: packed {@code [kvHeads, newTokens, headDim]}, indexed from 0. */
        public FloatBuffer keys(int layer) {
            return target(backKeyBytes, layer);
        }

        /** Where layer {@code layer}'s V goes: packed {@code [kvHeads, newTokens, headDim]}, indexed from 0. */
        public FloatBuffer values(int layer) {
            return target(backValueBytes, layer);
        }

        private FloatBuffer target(ByteBuffer[] store, int layer) {
            checkUsable();
            checkLayer(layer);
            return store[layer].asFloatBuffer().slice(0, newTokens * layout.floatsPerTokenPerTensor());
        }

        /** Makes the written buffers the cache's content; every earlier view goes stale. */
        public void commit() {
            checkUsable();
            done = true;
            generation++;
            for (int l = 0; l < tokens.length; l++) {
                ByteBuffer k = keyBytes[l];
                ByteBuffer v = valueBytes[l];
                keyBytes[l] = backKeyBytes[l];
                valueBytes[l] = backValueBytes[l];
                backKeyBytes[l] = k;
                backValueBytes[l] = v;
                keys[l] = keyBytes[l].asFloatBuffer();
                values[l] = valueBytes[l].asFloatBuffer();
                capacity[l] = (int) (keyBytes[l].capacity() / ((long) layout.floatsPerTokenPerTensor() * Float.BYTES));
                tokens[l] = newTokens;
            }
        }

        /** Discards an uncommitted rewrite (the cache is left as it was). */
        @Override
        public void close() {
            done = true;
        }

        private void checkUsable() {
            checkOpen();
            if (done) {
                throw new IllegalStateException("this rewrite was already committed or closed");
            }
            if (generation != startGeneration) {
                throw new IllegalStateException("the cache changed while a rewrite was in progress");
            }
        }
    }

    /** Drops every token at or after {@code newTokens} in every layer (keeps capacity). Views go stale. */
    public void truncate(int newTokens) {
        checkOpen();
        for (int l = 0; l < tokens.length; l++) {
            if (newTokens < 0 || newTokens > tokens[l]) {
                throw new IndexOutOfBoundsException("cannot truncate layer " + l + " holding " + tokens[l]
                        + " tokens to " + newTokens);
            }
        }
        generation++;
        for (int l = 0; l < tokens.length; l++) {
            gatherHeads(keys[l], tokens[l], newTokens);
            gatherHeads(values[l], tokens[l], newTokens);
            tokens[l] = newTokens;
        }
    }

    /** Releases the off-heap memory now. Idempotent; every view goes stale. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        generation++;
        for (int l = 0; l < keyBytes.length; l++) {
            release(l);
            releaseBack(l);
        }
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "KvCache" + layout + " tokens=" + java.util.Arrays.toString(tokens) + " bytesHeld=" + bytesHeld;
    }

    // ---------------------------------------------------------------------------------------------------- internals

    private KvView view(FloatBuffer[] store, int layer, int from, int to) {
        checkOpen();
        checkLayer(layer);
        int t = tokens[layer];
        if (from < 0 || to < from || to > t) {
            throw new IndexOutOfBoundsException("token range [" + from + ", " + to + ") outside layer " + layer
                    + "'s " + t + " tokens");
        }
        int hd = layout.headDim();
        return new KvView(store[layer], from * hd, layout.kvHeads(), to - from, hd, t * hd,
                this::generation, generation);
    }

    private long generation() {
        return generation;
    }

    private void checkPair(KvView k, KvView v, String what) {
        for (KvView x : new KvView[] {k, v}) {
            if (x.heads() != layout.kvHeads() || x.headDim() != layout.headDim()) {
                throw new IllegalArgumentException(what + ": tensor shape " + x.shapeString() + " does not fit the cache's ["
                        + layout.kvHeads() + ", tokens, " + layout.headDim() + "] (kv heads, tokens, head size)");
            }
        }
        if (k.tokens() != v.tokens()) {
            throw new IllegalArgumentException(what + ": K has " + k.tokens() + " tokens but V has " + v.tokens());
        }
        k.checkLive();
        v.checkLive();
    }

    /** Copies {@code src} into tokens {@code [at, at + src.tokens())} of a packed buffer holding {@code t} tokens. */
    private void writeTokens(FloatBuffer dst, int t, int at, KvView src) {
        int hd = layout.headDim();
        int run = src.tokens() * hd;
        if (run == 0) {
            return;
        }
        for (int h = 0; h < layout.kvHeads(); h++) {
            dst.put(h * t * hd + at * hd, src.data(), src.offset() + h * src.headStride(), run);
        }
    }

    /** Moves heads from stride {@code oldT} to stride {@code newT > oldT} in place, last head first. */
    private void spreadHeads(FloatBuffer buf, int oldT, int newT) {
        int hd = layout.headDim();
        int run = oldT * hd;
        for (int h = layout.kvHeads() - 1; h >= 1 && run > 0; h--) {
            moveBlock(buf, h * oldT * hd, h * newT * hd, run);
        }
    }

    /** Moves heads from stride {@code oldT} to stride {@code newT < oldT} in place, first head first. */
    private void gatherHeads(FloatBuffer buf, int oldT, int newT) {
        int hd = layout.headDim();
        int run = newT * hd;
        for (int h = 1; h < layout.kvHeads() && run > 0; h++) {
            moveBlock(buf, h * oldT * hd, h * newT * hd, run);
        }
    }

    /** memmove within one buffer, in pieces that never overlap (a bulk put from an overlapping range is undefined). */
    private static void moveBlock(FloatBuffer buf, int src, int dst, int len) {
        if (src == dst || len == 0) {
            return;
        }
        FloatBuffer from = buf.duplicate();
        int gap = Math.abs(dst - src);
        if (dst > src) {
            for (int end = len; end > 0; ) {
                int n = Math.min(gap, end);
                end -= n;
                buf.put(dst + end, from, src + end, n);
            }
        } else {
            for (int start = 0; start < len; ) {
                int n = Math.min(gap, len - start);
                buf.put(dst + start, from, src + start, n);
                start += n;
            }
        }
    }

    private void grow(int layer, int newCapacity) {
        int t = tokens[layer];
        ByteBuffer oldK = keyBytes[layer];
        ByteBuffer oldV = valueBytes[layer];
        FloatBuffer oldKf = keys[layer];
        FloatBuffer oldVf = values[layer];
        int oldCapacity = capacity[layer];
        allocateLayer(layer, newCapacity);
        int n = t * layout.floatsPerTokenPerTensor();
        if (n > 0) {
            keys[layer].put(0, oldKf, 0, n);
            values[layer].put(0, oldVf, 0, n);
        }
        bytesHeld -= 2L * bytesFor(oldCapacity);
        OffHeap.free(oldK);
        OffHeap.free(oldV);
    }

    private void allocateLayer(int layer, int capacityTokens) {
        long bytes = bytesFor(capacityTokens);
        ByteBuffer k = OffHeap.allocate(bytes);
        ByteBuffer v;
        try {
            v = OffHeap.allocate(bytes);
        } catch (RuntimeException | OutOfMemoryError e) {
            OffHeap.free(k);
            throw e;
        }
        keyBytes[layer] = k;
        valueBytes[layer] = v;
        keys[layer] = k.asFloatBuffer();
        values[layer] = v.asFloatBuffer();
        capacity[layer] = capacityTokens;
        bytesHeld += 2 * bytes;
    }

    private void release(int layer) {
        if (keyBytes[layer] != null) {
            bytesHeld -= keyBytes[layer].capacity();
            OffHeap.free(keyBytes[layer]);
            keyBytes[layer] = null;
            keys[layer] = null;
        }
        if (valueBytes[layer] != null) {
            bytesHeld -= valueBytes[layer].capacity();
            OffHeap.free(valueBytes[layer]);
            valueBytes[layer] = null;
            values[layer] = null;
        }
    }

    private void releaseBack(int layer) {
        for (ByteBuffer[] store : new ByteBuffer[][] {backKeyBytes, backValueBytes}) {
            if (store[layer] != null) {
                bytesHeld -= store[layer].capacity();
                OffHeap.free(store[layer]);
                store[layer] = null;
            }
        }
    }

    private long bytesFor(int capacityTokens) {
        return (long) capacityTokens * layout.floatsPerTokenPerTensor() * Float.BYTES;
    }

    private void checkLayer(int layer) {
        if (layer < 0 || layer >= layout.layers()) {
            throw new IndexOutOfBoundsException("layer " + layer + " outside [0, " + layout.layers() + ")");
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("KV cache is closed");
        }
    }
}
