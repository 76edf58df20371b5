package io.latentlink.receiver;

import io.latentlink.core.link.InProcessLink;
import io.latentlink.core.link.LinkModel;
import io.latentlink.core.link.RelayFormat;
import io.latentlink.core.model.GenerationConfig;
import io.latentlink.core.model.GenerationResult;
import io.latentlink.core.model.Sampling;
import io.latentlink.core.model.SessionConfig;
import io.latentlink.core.model.StopReason;
import io.latentlink.core.tensor.KvCache;
import io.latentlink.core.tensor.KvView;
import io.latentlink.core.wire.KvBlock;
import io.latentlink.core.wire.KvGeometry;
import io.latentlink.engine.Cancelled;
import io.latentlink.engine.GenerationOptions;
import io.latentlink.engine.Generated;
import io.latentlink.engine.TokenSink;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * The receiver model from its folder, over core's {@link LinkModel}: tokenization with BOS, prefill of all but the
 * last prompt token, then generation from the last token on top of the (possibly fused) cache, as core's
 * in-process reference ({@link InProcessLink}) does, so a networked answer equals the in-process one.
 */
public final class OnnxReceiverEngine implements ReceiverEngine, AutoCloseable {

    private final LinkModel model;
    private final KvGeometry geometry;
    private final int prefillChunk;

    public OnnxReceiverEngine(Path modelDir, SessionConfig session, int prefillChunk) {
        this.model = LinkModel.open(modelDir, session);
        var layout = model.manifest().kvLayout();
        this.geometry = new KvGeometry(model.id(), model.modelSha256(), layout.layers(), layout.kvHeads(),
                layout.headDim());
        this.prefillChunk = prefillChunk;
    }

    @Override
    public KvGeometry geometry() {
        return geometry;
    }

    @Override
    public String withContext(String relayText, String prompt) {
        return RelayFormat.receiverPrompt(prompt, relayText);
    }

    @Override
    public Session open(String prompt) {
        long t0 = System.nanoTime();
        long[] ids = model.promptIds(prompt);
        long tokenize = System.nanoTime() - t0;
        KvCache cache = model.session().newCache();
        return new Session() {
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
            public KvBlock prefill(int maxTokens, int limit) {
                if (limit > ids.length) {
                    throw new IllegalArgumentException("prefix " + limit + " longer than prompt " + ids.length);
                }
                if (done >= limit) {
                    return null;
                }
                int end = Math.min(limit, done + maxTokens);
                model.session().forward(cache, ids, done, end);
                float[][] keys = new float[geometry.layers()][];
                float[][] values = new float[geometry.layers()][];
                for (int l = 0; l < geometry.layers(); l++) {
                    keys[l] = cache.keys(l, done, end).toArray();
                    values[l] = cache.values(l, done, end).toArray();
                }
                KvBlock block = new KvBlock(geometry, done, end, keys, values);
                done = end;
                return block;
            }

            @Override
            public void replaceKv(int layer, float[] key, float[] value, int tokens) {
                cache.replace(layer, 0, KvView.of(key, geometry.kvHeads(), tokens, geometry.headSize()),
                        KvView.of(value, geometry.kvHeads(), tokens, geometry.headSize()));
            }

            @Override
            public Generated generate(GenerationOptions options, TokenSink sink, BooleanSupplier cancelled) {
                long p0 = System.nanoTime();
                // Like the reference: everything but the last token as prefill, the last token starts generation.
                if (done < ids.length - 1) {
                    model.session().prefill(cache, Arrays.copyOfRange(ids, done, ids.length - 1), prefillChunk);
                    done = ids.length - 1;
                }
                long prefill = System.nanoTime() - p0;
                GenerationResult g = model.generator().generate(cache, Arrays.copyOfRange(ids, done, ids.length),
                        config(options), model.text(), (i, id) -> {
                            if (cancelled.getAsBoolean()) {
                                return false;
                            }
                            sink.accept(i, Math.toIntExact(id),
                                    model.tokenizer().decode(new int[] {Math.toIntExact(id)}, true));
                            return true;
                        });
                done = ids.length;
                if (g.stopReason() == StopReason.CANCELLED && cancelled.getAsBoolean()) {
                    throw new Cancelled("generation cancelled");
                }
                return new Generated(ids.length, g.tokenIds().length, g.text().strip(),
                        g.stopReason().name().toLowerCase(java.util.Locale.ROOT), tokenize,
                        prefill + g.prefillNanos(), g.decodeNanos());
            }

            @Override
            public void close() {
                cache.close();
            }
        };
    }

    private GenerationConfig config(GenerationOptions o) {
        GenerationConfig c = o.stopAtNewline() ? model.lineConfig(o.maxTokens())
                : GenerationConfig.greedy(o.maxTokens()).withStopOnEos(true);
        if (o.temperature() > 0) {
            c = c.withSampling(Sampling.random(o.temperature(), o.topK(), o.topP(), o.seed()));
        }
        return c;
    }

    @Override
    public void close() {
        model.close();
    }
}
