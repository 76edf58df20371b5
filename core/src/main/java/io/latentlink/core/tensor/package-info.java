/**
 * Off-heap tensors for KV caches.
 *
 * <ul>
 *   <li>{@link io.latentlink.core.tensor.KvLayout}: the shape of a decoder's cache (layers, kv heads, head size).</li>
 *   <li>{@link io.latentlink.core.tensor.KvCache}: a closeable, off-heap, per-layer K/V store with append, slice and
 *       replace, whose bytes are accounted per cache and process-wide.</li>
 *   <li>{@link io.latentlink.core.tensor.KvView}: a zero-copy, possibly strided view of one layer's K or V over a
 *       token range; {@link io.latentlink.core.tensor.KvSlice} groups the views of a layer range.</li>
 * </ul>
 * Everything here is fp32 ({@link io.latentlink.core.tensor.DType#FLOAT32}); other dtypes are a codec's business and
 * are rejected with a clear message when they reach a cache.
 */
package io.latentlink.core.tensor;
