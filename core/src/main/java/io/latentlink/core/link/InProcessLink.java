package io.latentlink.core.link;

import io.latentlink.core.fusion.FuserRunner;
import io.latentlink.core.fusion.KvGather;
import io.latentlink.core.fusion.LayerKv;
import io.latentlink.core.model.GenerationConfig;
import io.latentlink.core.model.GenerationResult;
import io.latentlink.core.model.TokenListener;
import io.latentlink.core.tensor.KvCache;
import io.latentlink.core.tensor.KvLayout;
import io.latentlink.core.tensor.KvView;
import io.latentlink.core.tokenizer.AlignmentStrategy;
import io.latentlink.core.tokenizer.TokenAligner;
import io.latentlink.core.tokenizer.TokenEncoding;

import java.util.Arrays;
import java.util.Objects;

/**
 * Receiver-only, sharer-only, text relay and C2C with both models and the fuser in one JVM. This is the reference the
 * networked system must equal: same tokenization, alignment, fused positions and decoding.
 * <p>
 * Not thread-safe when models are shared: ONNX Runtime sessions are, but callers usually run one question at a time.
 */
public final class InProcessLink {
    /** Longest relay sentence the sharer may write, in sharer tokens (bytes for the demo sharer). */
    public static final int RELAY_MAX_TOKENS = 64;

    private final LinkModel receiver;
    private final LinkModel sharer;
    private final FuserRunner fuser;
    private final AlignmentStrategy alignment;
    private final int prefillChunk;

    /**
     * @param fuser        may be null when C2C is not used
     * @param prefillChunk tokens per prefill call (chunked prefill); must be > 0
     */
    public InProcessLink(LinkModel receiver, LinkModel sharer, FuserRunner fuser, int prefillChunk) {
        this.receiver = Objects.requireNonNull(receiver, "receiver");
        this.sharer = Objects.requireNonNull(sharer, "sharer");
        this.fuser = fuser;
        if (prefillChunk <= 0) {
            throw new IllegalArgumentException("prefill chunk must be > 0, got " + prefillChunk);
        }
        this.prefillChunk = prefillChunk;
        if (fuser != null) {
            fuser.requireModels(receiver.id(), receiver.modelSha256(), sharer.id(), sharer.modelSha256());
            this.alignment = AlignmentStrategy.parse(fuser.manifest().alignment());
        } else {
            this.alignment = null;
        }
    }

    public LinkResult answer(String prompt, LinkMode mode, int maxNewTokens) {
        return answer(prompt, mode, maxNewTokens, TokenListener.NONE);
    }

    public LinkResult answer(String prompt, LinkMode mode, int maxNewTokens, TokenListener listener) {
        return switch (mode) {
            case RECEIVER_ONLY -> alone(receiver, prompt, maxNewTokens, listener);
            case SHARER_ONLY -> alone(sharer, prompt, maxNewTokens, listener);
            case TEXT -> relay(prompt, maxNewTokens, listener);
            case C2C -> c2c(prompt, maxNewTokens, listener);
        };
    }

    private LinkResult alone(LinkModel model, String prompt, int maxNewTokens, TokenListener listener) {
        long t0 = System.nanoTime();
        long[] ids = model.promptIds(prompt);
        long t1 = System.nanoTime();
        GenerationResult g = runPrompt(model, ids, model.lineConfig(maxNewTokens), listener);
        long t2 = System.nanoTime();
        return new LinkResult(g.text().strip(), g.tokenIds(), g.stopReason(), null, new int[0],
                new StageTimings(t1 - t0, 0, g.prefillNanos(), 0, g.decodeNanos(), t2 - t0));
    }

    private LinkResult relay(String prompt, int maxNewTokens, TokenListener listener) {
        long t0 = System.nanoTime();
        long[] sharerIds = sharer.promptIds(RelayFormat.sharerPrompt(prompt));
        long t1 = System.nanoTime();
        GenerationResult sentence = runPrompt(sharer, sharerIds, sharer.lineConfig(RELAY_MAX_TOKENS), TokenListener.NONE);
        String relayed = sentence.text().strip();
        long t2 = System.nanoTime();
        long[] receiverIds = receiver.promptIds(RelayFormat.receiverPrompt(prompt, relayed));
        long t3 = System.nanoTime();
        GenerationResult g = runPrompt(receiver, receiverIds, receiver.lineConfig(maxNewTokens), listener);
        long t4 = System.nanoTime();
        return new LinkResult(g.text().strip(), g.tokenIds(), g.stopReason(), relayed, new int[0],
                new StageTimings((t1 - t0) + (t3 - t2), t2 - t1, g.prefillNanos(), 0, g.decodeNanos(), t4 - t0));
    }

    private GenerationResult runPrompt(LinkModel model, long[] ids, GenerationConfig config, TokenListener listener) {
        try (KvCache cache = model.session().newCache()) {
            long[] prefix = Arrays.copyOf(ids, ids.length - 1);
            long start = System.nanoTime();
            if (prefix.length > 0) {
                model.session().prefill(cache, prefix, prefillChunk);
            }
            long prefillNanos = System.nanoTime() - start;
            GenerationResult g = model.generator().generate(cache, new long[] {ids[ids.length - 1]}, config, model.text(), listener);
            return new GenerationResult(g.tokenIds(), g.text(), g.stopReason(), ids.length, prefillNanos, g.decodeNanos() + g.prefillNanos());
        }
    }

    private LinkResult c2c(String prompt, int maxNewTokens, TokenListener listener) {
        if (fuser == null) {
            throw new IllegalStateException("C2C needs a fuser; none was loaded");
        }
        long t0 = System.nanoTime();
        TokenEncoding r = receiver.encode(prompt);
        TokenEncoding s = sharer.encode(prompt);
        if (r.size() < 2) {
            throw new IllegalArgumentException("C2C needs a prompt of at least one token after BOS");
        }
        int prefixLength = r.size() - 1;
        int[] aligned = Arrays.copyOf(TokenAligner.align(r, s, alignment), prefixLength);
        long[] receiverIds = r.idsAsLongs();
        long t1 = System.nanoTime();
        try (KvCache receiverCache = receiver.session().newCache(); KvCache sharerCache = sharer.session().newCache()) {
            sharer.session().prefill(sharerCache, s.idsAsLongs(), prefillChunk);
            long t2 = System.nanoTime();
            receiver.session().prefill(receiverCache, Arrays.copyOf(receiverIds, prefixLength), prefillChunk);
            long t3 = System.nanoTime();
            int[] fused = fuseInto(receiverCache, sharerCache, aligned, 0, prefixLength);
            long t4 = System.nanoTime();
            GenerationResult g = receiver.generator().generate(receiverCache, new long[] {receiverIds[prefixLength]},
                    receiver.lineConfig(maxNewTokens), receiver.text(), listener);
            long t5 = System.nanoTime();
            return new LinkResult(g.text().strip(), g.tokenIds(), g.stopReason(), null, fused,
                    new StageTimings(t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t5 - t0));
        }
    }

    /**
     * Fuses receiver positions {@code [from, to)} of every fused layer in place, reading the sharer cache at
     * {@code aligned[i - from]} for receiver position i. Returns the fused layers.
     */
    public int[] fuseInto(KvCache receiverCache, KvCache sharerCache, int[] aligned, int from, int to) {
        KvLayout rl = receiverCache.layout();
        KvLayout sl = sharerCache.layout();
        int tokens = to - from;
        for (int layer : fuser.fusedLayers()) {
            int sharerLayer = fuser.sharerLayer(layer);
            LayerKv own = new LayerKv(receiverCache.keys(layer, from, to).contiguous(),
                    receiverCache.values(layer, from, to).contiguous(), rl.kvHeads(), tokens, rl.headDim());
            LayerKv sharerAll = new LayerKv(sharerCache.keys(sharerLayer).contiguous(),
                    sharerCache.values(sharerLayer).contiguous(), sl.kvHeads(), sharerCache.tokens(sharerLayer), sl.headDim());
            LayerKv fused = fuser.fuse(layer, own, KvGather.gather(sharerAll, aligned));
            receiverCache.replace(layer, from, KvView.wrap(fused.key(), rl.kvHeads(), tokens, rl.headDim()),
                    KvView.wrap(fused.value(), rl.kvHeads(), tokens, rl.headDim()));
        }
        return fuser.fusedLayers();
    }
}
