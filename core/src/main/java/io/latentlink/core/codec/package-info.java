/**
 * KV codecs: one fp32 KV block {@code [kv_heads, tokens, head_dim]} to wire bytes and back.
 *
 * <h2>API</h2>
 * <ul>
 *   <li>{@link io.latentlink.core.codec.KvCodec}: {@code encode(FloatBuffer, KvBlockShape, headStride, ByteBuffer)}
 *       and {@code decode(ByteBuffer, KvBlockShape, FloatBuffer, headStride)}; the float side is addressed (a token
 *       range of a larger {@code [heads, P, head_dim]} cache is read or written in place through {@code headStride}),
 *       the byte side is streamed. Bad input: {@link java.lang.IllegalArgumentException} when encoding,
 *       {@link io.latentlink.core.codec.CorruptPayloadException} when decoding; nothing is read outside
 *       {@code [position, limit)}.</li>
 *   <li>{@link io.latentlink.core.codec.CodecSpec}: id plus string parameters, what a chunk header carries
 *       ({@code string codec_id; map<string, string> codec_params}).</li>
 *   <li>{@link io.latentlink.core.codec.CodecRegistry}: {@code standard().get("int8")},
 *       {@code get(CodecSpec)} for a received header, {@code ids()}; unknown ids throw
 *       {@link io.latentlink.core.codec.UnknownCodecException}.</li>
 * </ul>
 *
 * <h2>Codecs and payloads (all little-endian)</h2>
 * <table>
 *   <caption>Standard codecs</caption>
 *   <tr><th>spec</th><th>payload</th><th>bytes per value</th></tr>
 *   <tr><td>{@code fp32}</td><td>raw floats</td><td>4 (lossless)</td></tr>
 *   <tr><td>{@code fp16}</td><td>IEEE binary16, round to nearest even; |x| &gt; 65504 refused</td><td>2</td></tr>
 *   <tr><td>{@code int8{scales=per_token}} (default int8)</td><td>fp32 scale per (head, token), then int8 values;
 *       scale = absmax over head_dim / 127</td><td>1 + 4 / head_dim</td></tr>
 *   <tr><td>{@code int8{scales=per_channel}}</td><td>fp32 scale per (head, channel) over the block's tokens, then
 *       int8 values</td><td>1 + 4 / tokens</td></tr>
 * </table>
 *
 * <h2>Which int8 scale layout, measured</h2>
 * {@code CodecErrorStudy} (test scope) encodes in token chunks as the sender does and reports relative RMSE
 * {@code ||x - x'|| / ||x||} over the block and the worst single row's relative error. Synthetic blocks
 * {@code [4, 256, 64]}: Gaussian; "K" with 1 in 16 channels 15x larger for every token (RoPE'd keys look like this);
 * "V" with token 0 20x larger (an attention sink); and both.
 * <pre>
 * data                     chunk  fp16      int8 per_token   int8 per_channel
 *                                 RMSE      RMSE   worst row  RMSE   worst row
 * gaussian                   16   0.00021   0.0067 0.012      0.0047 0.0077
 * gaussian                  256   0.00021   0.0067 0.012      0.0070 0.0099
 * K: outlier channels x15    16   0.00021   0.0141 0.020      0.0047 0.022
 * K: outlier channels x15   256   0.00021   0.0141 0.020      0.0074 0.034
 * V: outlier token x20       16   0.00021   0.0071 0.011      0.0075 0.076
 * V: outlier token x20      256   0.00021   0.0071 0.011      0.0286 0.081
 * both                       16   0.00024   0.0140 0.020      0.0071 0.124
 * both                      256   0.00024   0.0140 0.020      0.0259 0.181
 * </pre>
 * Real KV of the demo models (models/ v0, weakly trained; prefill of [BOS] + LinkQA val prompts, 480 characters):
 * RMSE averaged over layers, worst row over all layers.
 * <pre>
 * data                     chunk  fp16      int8 per_token   int8 per_channel
 *                                 RMSE      RMSE   worst row  RMSE   worst row
 * rx K (4 layers, 214 tok)   16   0.00021   0.0058 0.0097     0.0038 0.0060
 * rx K                      214   0.00021   0.0058 0.0097     0.0054 0.0075
 * rx V                       16   0.00021   0.0052 0.0080     0.0042 0.0174
 * rx V                      214   0.00021   0.0052 0.0080     0.0066 0.0219
 * sx K (6 layers, 468 tok)   16   0.00021   0.0045 0.0087     0.0044 0.0147
 * sx K                      468   0.00021   0.0045 0.0087     0.0065 0.0234
 * sx V                       16   0.00021   0.0047 0.0087     0.0044 0.0137
 * sx V                      468   0.00021   0.0047 0.0087     0.0062 0.0192
 * </pre>
 * Per-channel scales win on outlier channels (about 2-3x lower RMSE on synthetic K, 1.5x on rx K in 16-token chunks)
 * but one loud token ruins every other row of its chunk (worst row 8-18% off on synthetic data, 2-2.3% on the real
 * KV), and their error depends on how the sender cut the chunks. Per-token error is flat:
 * at most 2% on any row in every case (1% on the real KV), the same whatever the chunk size, and a one-token chunk (a decode step) costs
 * one scale per head instead of {@code head_dim}. <b>The default int8 is therefore per-token</b>; per-channel stays
 * selectable per chunk (the header carries the spec), e.g. for keys of a model known to have outlier channels and
 * no sink tokens.
 *
 * <h2>Speed</h2>
 * {@code KvCodecThroughput} (test scope), one thread, direct buffers, GB/s of fp32 data, on the shared 2-core AMD EPYC
 * development VM under a load average of 6-8 (so ranges over three runs; a quiet core does better):
 * <pre>
 * codec                 [8, 256, 128] enc / dec     [2, 1024, 32] enc / dec    ratio
 * fp32                  15-46 / 15-37               22-35 / 19-36              1.00
 * fp16                  2.7-6.2 / 2.0-5.2           3.6-7.2 / 2.7-5.1          2.00
 * int8 per_token        2.7-7.0 / 5.0-9.7           2.3-3.7 / 2.5-6.7          3.88 / 3.56
 * int8 per_channel      1.9-2.3 / 6.4-8.9           2.4 / 3.2-5.2              3.94 / 3.98
 * </pre>
 * The int8 kernels are plain loops that C2 vectorises: rounding with the 1.5 * 2^23 trick instead of
 * {@code Math.round} (9x faster), the per-channel running max on int bit patterns and the per-channel decode scales
 * as doubles (C2 does not vectorise loops that write one float[] while reading another it cannot prove distinct),
 * and each loop in a small method of its own.
 */
package io.latentlink.core.codec;
