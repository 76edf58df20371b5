/**
 * Decoder models: reading a model folder, running it in ONNX Runtime against an off-heap KV cache, and generating.
 *
 * <ul>
 *   <li>{@link io.latentlink.core.model.ModelManifest}: {@code genai_config.json} (onnxruntime-genai fields).</li>
 *   <li>{@link io.latentlink.core.model.DecoderSession}: prefill, chunked prefill and decode steps on a
 *       {@link io.latentlink.core.tensor.KvCache}; graph checked against the manifest at load.</li>
 *   <li>{@link io.latentlink.core.model.SessionConfig}: execution provider (CPU, CUDA) and threads.</li>
 *   <li>{@link io.latentlink.core.model.Generator}, {@link io.latentlink.core.model.GenerationConfig},
 *       {@link io.latentlink.core.model.Sampling}: greedy or seeded sampling, stop on eos / stop strings / length,
 *       streaming through {@link io.latentlink.core.model.TokenListener}.</li>
 * </ul>
 *
 * <p>Typical use, C2C on the receiver:
 * <pre>{@code
 * try (DecoderSession rx = DecoderSession.open(Path.of("models/rx"), SessionConfig.defaults());
 *      KvCache cache = rx.newCache()) {
 *     rx.prefill(cache, Arrays.copyOf(ids, ids.length - 1), 64);       // all but the last prompt token
 *     for (int layer : fusedLayers) cache.replace(layer, 0, fusedK, fusedV); // fused KV swapped in
 *     GenerationResult r = new Generator(rx).generate(cache, new long[] {ids[ids.length - 1]},
 *             GenerationConfig.greedy(16).withStopStrings(List.of("\n")), tokenizer::decode, listener);
 * }
 * }</pre>
 */
package io.latentlink.core.model;
