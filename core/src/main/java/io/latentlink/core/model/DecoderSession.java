package io.latentlink.core.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import io.latentlink.core.tensor.KvCache;
import io.latentlink.core.tensor.KvLayout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One decoder model loaded in ONNX Runtime, run against caller-owned {@link KvCache}s.
 *
 * <p>Each call runs some tokens on top of a cache and appends their K/V to it:
 * <ul>
 *   <li>{@link #prefill(KvCache, long[])}: a whole prompt (or the rest of one) in one run;</li>
 *   <li>{@link #prefill(KvCache, long[], int)}: the same in chunks of at most {@code chunkSize} tokens, each chunk
 *       running with the previous ones as past (what a streaming sender does);</li>
 *   <li>{@link #decode(KvCache, long)}: one token.</li>
 * </ul>
 * All return the logits at the last position. A cache that already holds tokens (for instance KV fused from another
 * model) is simply the past of the next call: positions continue from {@code cache.tokens()}.
 *
 * <p><b>Batch 1.</b> One sequence per call; concurrent calls on different caches are fine (the session is
 * thread-safe, and per-call scratch buffers come from a pool). A cache must not be used by two calls at once.
 *
 * <p><b>Copies.</b> Inputs are direct buffers handed to ORT without copies: the past K/V are zero-copy views of the
 * cache, ids/mask/positions sit in pooled direct buffers. ORT writes the present K/V (past + new) straight into the
 * cache's second set of buffers ({@link KvCache#rewrite}), which then become the cache's content; logits land in a
 * pooled direct buffer. So a step copies nothing beyond what the graph's own concat does.
 *
 * <p>Graph inputs follow the manifest: {@code attention_mask} (all ones, length past + new) and {@code position_ids}
 * (absolute, {@code past .. past + new - 1}) are fed only if the manifest declares them.
 */
public final class DecoderSession implements AutoCloseable {
    private final ModelManifest manifest;
    private final SessionConfig config;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final KvLayout layout;
    private final ConcurrentLinkedDeque<Scratch> scratchPool = new ConcurrentLinkedDeque<>();
    private final AtomicLong scratchBytes = new AtomicLong();

    private DecoderSession(ModelManifest manifest, SessionConfig config, OrtEnvironment env, OrtSession session) {
        this.manifest = manifest;
        this.config = config;
        this.env = env;
        this.session = session;
        this.layout = manifest.kvLayout();
    }

    /** Loads {@code <modelDir>/genai_config.json} and its ONNX file. */
    public static DecoderSession open(Path modelDir, SessionConfig config) {
        return open(ModelManifest.load(modelDir), config);
    }

    /**
     * Creates the ORT session and checks the graph against the manifest.
     *
     * @throws GraphMismatchException if the graph's inputs/outputs disagree with the manifest
     * @throws IllegalStateException  if CUDA is requested but this ONNX Runtime build has no CUDA provider
     * @throws InferenceException     if ORT cannot load the model
     */
    public static DecoderSession open(ModelManifest manifest, SessionConfig config) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session = null;
        try (OrtSession.SessionOptions options = sessionOptions(manifest, config)) {
            session = env.createSession(manifest.modelFile().toString(), options);
            GraphContract.check(manifest, session.getInputInfo(), session.getOutputInfo());
            return new DecoderSession(manifest, config, env, session);
        } catch (OrtException e) {
            closeQuietly(session);
            throw new InferenceException("cannot load " + manifest.modelFile() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(session);
            throw e;
        }
    }

    private static OrtSession.SessionOptions sessionOptions(ModelManifest manifest, SessionConfig config)
            throws OrtException {
        ModelManifest.SessionOptions fromManifest = manifest.decoder().sessionOptions();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            int intra = config.intraOpThreads() > 0 ? config.intraOpThreads()
                    : fromManifest.intraOpNumThreads().orElse(0);
            int inter = config.interOpThreads() > 0 ? config.interOpThreads()
                    : fromManifest.interOpNumThreads().orElse(0);
            if (intra > 0) {
                options.setIntraOpNumThreads(intra);
            }
            if (inter > 0) {
                options.setInterOpNumThreads(inter);
            }
            if (fromManifest.graphOptimizationLevel().isPresent()) {
                options.setOptimizationLevel(switch (fromManifest.graphOptimizationLevel().get()) {
                    case "ORT_DISABLE_ALL" -> OrtSession.SessionOptions.OptLevel.NO_OPT;
                    case "ORT_ENABLE_BASIC" -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
                    case "ORT_ENABLE_EXTENDED" -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
                    default -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
                });
            }
            for (Map.Entry<String, String> e : fromManifest.configEntries().entrySet()) {
                options.addConfigEntry(e.getKey(), e.getValue());
            }
            if (config.provider() == SessionConfig.ExecutionProvider.CUDA) {
                if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
                    throw new IllegalStateException("CUDA execution provider requested, but this ONNX Runtime build "
                            + "has none (available: " + OrtEnvironment.getAvailableProviders() + "). Build with "
                            + "-Dgpu and install CUDA 12 + cuDNN 9 (see core/README.md).");
                }
                options.addCUDA(config.deviceId());
            }
            return options;
        } catch (OrtException | RuntimeException e) {
            options.close();
            throw e;
        }
    }

    public ModelManifest manifest() {
        return manifest;
    }

    public SessionConfig config() {
        return config;
    }

    /** An empty cache shaped for this model, growing on demand up to the context length. */
    public KvCache newCache() {
        return KvCache.allocate(layout, Math.min(64, manifest.contextLength()), manifest.contextLength());
    }

    /** Runs all of {@code ids} in one call on top of {@code cache}; returns the last position's logits. */
    public float[] prefill(KvCache cache, long[] ids) {
        return forward(cache, ids, 0, ids.length);
    }

    /**
     * Runs {@code ids} in consecutive chunks of at most {@code chunkSize} tokens (the last may be shorter); each chunk
     * sees the previous ones through the cache. Returns the logits at the last position of the last chunk.
     */
    public float[] prefill(KvCache cache, long[] ids, int chunkSize) {
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunk size must be > 0, got " + chunkSize);
        }
        if (ids.length == 0) {
            throw new IllegalArgumentException("nothing to prefill: no token ids");
        }
        float[] logits = null;
        for (int from = 0; from < ids.length; from += chunkSize) {
            logits = forward(cache, ids, from, Math.min(ids.length, from + chunkSize));
        }
        return logits;
    }

    /** Runs one token on top of {@code cache}; returns its logits. */
    public float[] decode(KvCache cache, long tokenId) {
        return forward(cache, new long[] {tokenId}, 0, 1);
    }

    /**
     * Runs {@code ids[from, to)} on top of {@code cache}, appends their K/V to it and returns the logits at the last
     * of them ({@code vocab_size} floats).
     *
     * @throws IllegalArgumentException if the range is empty, an id is outside the vocabulary, or the cache has
     *                                  another layout
     * @throws IllegalStateException    if the tokens would not fit in the context length
     * @throws InferenceException       if ORT fails
     */
    public float[] forward(KvCache cache, long[] ids, int from, int to) {
        if (from < 0 || to > ids.length || to <= from) {
            throw new IllegalArgumentException("token range [" + from + ", " + to + ") of " + ids.length
                    + " ids is empty or out of bounds");
        }
        if (!cache.layout().equals(layout)) {
            throw new IllegalArgumentException("cache layout " + cache.layout() + " does not match the model's "
                    + layout);
        }
        int vocab = manifest.vocabSize();
        for (int i = from; i < to; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new IllegalArgumentException("token id " + ids[i] + " at index " + i
                        + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
        int past = cache.tokens();
        int n = to - from;
        int total = past + n;
        if (total > manifest.contextLength()) {
            throw new IllegalStateException("sequence would hold " + total + " tokens, over the context length "
                    + manifest.contextLength());
        }
        Scratch s = takeScratch();
        List<OnnxTensor> owned = new ArrayList<>();
        KvCache.Rewrite rewrite = null;
        try {
            s.ensure(n, total);
            Map<String, OnnxTensor> inputs = new HashMap<>();
            ModelManifest.Inputs in = manifest.decoder().inputs();
            LongBuffer idBuf = s.ids.slice(0, n);
            idBuf.put(0, ids, from, n);
            inputs.put(in.inputIds(), track(owned, OnnxTensor.createTensor(env, idBuf, new long[] {1, n})));
            if (in.attentionMask().isPresent()) {
                inputs.put(in.attentionMask().get(),
                        track(owned, OnnxTensor.createTensor(env, s.mask.slice(0, total), new long[] {1, total})));
            }
            if (in.positionIds().isPresent()) {
                LongBuffer pos = s.positions.slice(0, n);
                for (int i = 0; i < n; i++) {
                    pos.put(i, past + i);
                }
                inputs.put(in.positionIds().get(), track(owned, OnnxTensor.createTensor(env, pos, new long[] {1, n})));
            }
            long[] pastShape = {1, layout.kvHeads(), past, layout.headDim()};
            for (int l = 0; l < layout.layers(); l++) {
                inputs.put(in.pastKeyName(l), track(owned,
                        OnnxTensor.createTensor(env, cache.keys(l).contiguous(), pastShape)));
                inputs.put(in.pastValueName(l), track(owned,
                        OnnxTensor.createTensor(env, cache.values(l).contiguous(), pastShape)));
            }

            ModelManifest.Outputs out = manifest.decoder().outputs();
            Map<String, OnnxTensor> pinned = new HashMap<>();
            FloatBuffer logits = s.logits.slice(0, n * vocab);
            pinned.put(out.logits(), track(owned, OnnxTensor.createTensor(env, logits, new long[] {1, n, vocab})));
            // ORT writes present K/V (past + new) straight into the cache's second buffers; commit swaps them in.
            rewrite = cache.rewrite(n);
            long[] presentShape = {1, layout.kvHeads(), total, layout.headDim()};
            for (int l = 0; l < layout.layers(); l++) {
                pinned.put(out.presentKeyName(l),
                        track(owned, OnnxTensor.createTensor(env, rewrite.keys(l), presentShape)));
                pinned.put(out.presentValueName(l),
                        track(owned, OnnxTensor.createTensor(env, rewrite.values(l), presentShape)));
            }

            try (OrtSession.Result ignored = session.run(inputs, pinned)) {
                // Outputs were written into the pinned buffers.
            }
            rewrite.commit();
            float[] last = new float[vocab];
            logits.get((n - 1) * vocab, last, 0, vocab);
            return last;
        } catch (OrtException e) {
            throw new InferenceException("ONNX Runtime failed running " + n + " tokens on top of " + past + ": "
                    + e.getMessage(), e);
        } finally {
            for (OnnxTensor t : owned) {
                t.close();
            }
            if (rewrite != null) {
                rewrite.close(); // no-op after a commit; discards the half-written present after a failure
            }
            scratchPool.push(s);
        }
    }

    /**
     * Direct-buffer bytes this session holds for per-call inputs and logits (ids, mask, positions, logits): at most
     * {@code context_length * (3 * 8 + vocab_size * 4)} bytes per call that ran concurrently, kept for reuse. Not part
     * of {@link KvCache#totalBytesHeld()} (present K/V are written into the caches themselves); released to the GC on
     * {@link #close()}.
     */
    public long scratchBytesHeld() {
        return scratchBytes.get();
    }

    @Override
    public void close() {
        closeQuietly(session);
        scratchPool.clear();
        scratchBytes.set(0);
    }

    private static OnnxTensor track(List<OnnxTensor> owned, OnnxTensor t) {
        owned.add(t);
        return t;
    }

    private static void closeQuietly(OrtSession s) {
        if (s != null) {
            try {
                s.close();
            } catch (OrtException ignored) {
                // Nothing more to do on a failed close.
            }
        }
    }

    private Scratch takeScratch() {
        Scratch s = scratchPool.poll();
        return s != null ? s : new Scratch();
    }

    /** Direct buffers for ids, mask, positions and logits, reused across calls; they only grow. */
    private final class Scratch {
        LongBuffer ids = longs(0);
        LongBuffer mask = longs(0);
        LongBuffer positions = longs(0);
        FloatBuffer logits = floats(0);

        void ensure(int n, int total) {
            if (ids.capacity() < n) {
                scratchBytes.addAndGet(-(2L * ids.capacity() * Long.BYTES + (long) logits.capacity() * Float.BYTES));
                ids = longs(n);
                positions = longs(n);
                logits = floats((long) n * manifest.vocabSize());
            }
            if (mask.capacity() < total) {
                scratchBytes.addAndGet(-(long) mask.capacity() * Long.BYTES);
                mask = longs(total);
                for (int i = 0; i < total; i++) {
                    mask.put(i, 1L);
                }
            }
        }

        private LongBuffer longs(long n) {
            scratchBytes.addAndGet(n * Long.BYTES);
            return ByteBuffer.allocateDirect(Math.toIntExact(n * Long.BYTES)).order(ByteOrder.nativeOrder())
                    .asLongBuffer();
        }

        private FloatBuffer floats(long n) {
            scratchBytes.addAndGet(n * Float.BYTES);
            return ByteBuffer.allocateDirect(Math.toIntExact(n * Float.BYTES)).order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
        }
    }
}
