package io.latentlink.sender;

import io.latentlink.core.link.InProcessLink;
import io.latentlink.core.link.LinkModel;
import io.latentlink.core.link.RelayFormat;
import io.latentlink.core.model.GenerationResult;
import io.latentlink.core.model.SessionConfig;
import io.latentlink.core.tensor.KvCache;
import io.latentlink.core.wire.KvBlock;
import io.latentlink.core.wire.KvGeometry;
import io.latentlink.engine.Cancelled;
import io.latentlink.engine.GenerationOptions;
import io.latentlink.engine.Generated;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * The sharer model from its folder, over core's {@link LinkModel}: the same tokenization (BOS first), chunked
 * prefill and relay prompt as core's in-process reference ({@link InProcessLink}), so the networked sharer matches it.
 */
public final class OnnxSharerEngine implements SharerEngine, AutoCloseable {

    private final LinkModel model;
    private final KvGeometry geometry;
    private final int relayPrefillChunk;

    /** @param relayPrefillChunk prefill step for relay prompts (Share requests choose their own) */
    public OnnxSharerEngine(Path modelDir, SessionConfig session, int relayPrefillChunk) {
        this.relayPrefillChunk = relayPrefillChunk;
        this.model = LinkModel.open(modelDir, session);
        var layout = model.manifest().kvLayout();
        this.geometry = new KvGeometry(model.id(), model.modelSha256(), layout.layers(), layout.kvHeads(),
                layout.headDim());
    }

    @Override
    public KvGeometry geometry() {
        return geometry;
    }

    @Override
    public Prefill open(String prompt) {
        long t0 = System.nanoTime();
        long[] ids = model.promptIds(prompt);
        long tokenize = System.nanoTime() - t0;
        KvCache cache = model.session().newCache();
        return new Prefill() {
            private int done;

            @Override
            public int promptTokens() {
                return ids.length;
            }

            @Override
            public long tokenizeNanos() {
                return tokenize;
            }

            @Override
            public KvBlock next(int maxTokens) {
                if (done >= ids.length) {
                    return null;
                }
                int end = Math.min(ids.length, done + maxTokens);
                model.session().forward(cache, ids, done, end);
                KvBlock block = OnnxBlocks.copy(cache, geometry, done, end);
                done = end;
                return block;
            }

            @Override
            public void close() {
                cache.close();
            }
        };
    }

    @Override
    public Generated relay(String prompt, GenerationOptions options, BooleanSupplier cancelled) {
        long t0 = System.nanoTime();
        long[] ids = model.promptIds(RelayFormat.sharerPrompt(prompt));
        long t1 = System.nanoTime();
        int max = Math.min(options.maxTokens(), InProcessLink.RELAY_MAX_TOKENS);
        try (KvCache cache = model.session().newCache()) {
            long p0 = System.nanoTime();
            if (ids.length > 1) {
                model.session().prefill(cache, Arrays.copyOf(ids, ids.length - 1), relayPrefillChunk);
            }
            long prefill = System.nanoTime() - p0;
            GenerationResult g = model.generator().generate(cache, new long[] {ids[ids.length - 1]},
                    model.lineConfig(max), model.text(), (i, id) -> !cancelled.getAsBoolean());
            if (cancelled.getAsBoolean()) {
                throw new Cancelled("relay cancelled");
            }
            return new Generated(ids.length, g.tokenIds().length, g.text().strip(), g.stopReason().name(), t1 - t0,
                    prefill + g.prefillNanos(), g.decodeNanos());
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
