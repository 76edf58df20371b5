package io.latentlink.receiver;

import io.latentlink.core.wire.KvBlock;
import io.latentlink.core.wire.KvGeometry;
import io.latentlink.engine.Cancelled;
import io.latentlink.engine.GenerationOptions;
import io.latentlink.engine.Generated;
import io.latentlink.engine.SyntheticKv;
import io.latentlink.engine.TokenSink;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

/**
 * Stand-in receiver for transport tests ({@code latentlink.engine=synthetic}): byte tokens, deterministic KV, and
 * "decoding" that emits letters derived from a checksum of the cache, so fused KV visibly changes the output. An
 * optional per-step delay stands in for compute time so cancellation tests have work to cancel. Not a model.
 */
public final class SyntheticReceiverEngine implements ReceiverEngine {

    private final KvGeometry geometry;
    private final Duration stepCost;

    public SyntheticReceiverEngine(KvGeometry geometry, Duration stepCost) {
        this.geometry = geometry;
        this.stepCost = stepCost;
    }

    @Override
    public KvGeometry geometry() {
        return geometry;
    }

    @Override
    public Session open(String prompt) {
        long t0 = System.nanoTime();
        int[] ids = SyntheticKv.tokenize(prompt);
        long tokenize = System.nanoTime() - t0;
        int n = ids.length;
        float[][] keys = new float[geometry.layers()][geometry.kvHeads() * n * geometry.headSize()];
        float[][] values = new float[geometry.layers()][geometry.kvHeads() * n * geometry.headSize()];
        List<Integer> all = IntStream.range(0, geometry.layers()).boxed().toList();
        return new Session() {
            private int done;

            @Override
            public int promptTokens() {
                return n;
            }

            @Override
            public long tokenizeNanos() {
                return tokenize;
            }

            private void store(KvBlock b) {
                int d = geometry.headSize();
                for (int l = 0; l < geometry.layers(); l++) {
                    for (int h = 0; h < geometry.kvHeads(); h++) {
                        System.arraycopy(b.keys()[l], h * b.tokens() * d, keys[l], (h * n + b.tokenStart()) * d,
                                b.tokens() * d);
                        System.arraycopy(b.values()[l], h * b.tokens() * d, values[l], (h * n + b.tokenStart()) * d,
                                b.tokens() * d);
                    }
                }
            }

            @Override
            public KvBlock prefill(int maxTokens, int limit) {
                if (limit > n) {
                    throw new IllegalArgumentException("prefix " + limit + " longer than prompt " + n);
                }
                if (done >= limit) {
                    return null;
                }
                pause();
                int end = Math.min(limit, done + maxTokens);
                KvBlock b = SyntheticKv.block(geometry, ids, done, end, all);
                store(b);
                done = end;
                return b;
            }

            @Override
            public void replaceKv(int layer, float[] key, float[] value, int tokens) {
                int d = geometry.headSize();
                for (int h = 0; h < geometry.kvHeads(); h++) {
                    System.arraycopy(key, h * tokens * d, keys[layer], h * n * d, tokens * d);
                    System.arraycopy(value, h * tokens * d, values[layer], h * n * d, tokens * d);
                }
            }

            @Override
            public Generated generate(GenerationOptions options, TokenSink sink, BooleanSupplier cancelled) {
                long t0 = System.nanoTime();
                if (done < n) {
                    store(SyntheticKv.block(geometry, ids, done, n, all));
                    done = n;
                }
                long t1 = System.nanoTime();
                double sum = 0;
                for (int l = 0; l < geometry.layers(); l++) {
                    for (int i = 0; i < keys[l].length; i++) {
                        sum += keys[l][i] + 0.5 * values[l][i];
                    }
                }
                long seed = Double.doubleToLongBits(sum) ^ options.seed();
                StringBuilder text = new StringBuilder();
                for (int i = 0; i < options.maxTokens(); i++) {
                    if (cancelled.getAsBoolean()) {
                        throw new Cancelled("generation cancelled");
                    }
                    pause();
                    seed = seed * 6364136223846793005L + 1442695040888963407L;
                    int id = 'a' + (int) ((seed >>> 33) % 26);
                    String piece = Character.toString(id);
                    text.append(piece);
                    sink.accept(i, id, piece);
                }
                long t2 = System.nanoTime();
                return new Generated(n, options.maxTokens(), text.toString(), "length", tokenize, t1 - t0, t2 - t1);
            }

            @Override
            public void close() {
            }
        };
    }

    private void pause() {
        if (!stepCost.isZero()) {
            try {
                Thread.sleep(stepCost);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Cancelled("interrupted");
            }
        }
    }
}
