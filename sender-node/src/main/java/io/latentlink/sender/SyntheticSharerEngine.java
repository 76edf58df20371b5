package io.latentlink.sender;

import io.latentlink.core.wire.KvBlock;
import io.latentlink.core.wire.KvGeometry;
import io.latentlink.engine.Cancelled;
import io.latentlink.engine.GenerationOptions;
import io.latentlink.engine.Generated;
import io.latentlink.engine.SyntheticKv;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

/**
 * Stand-in sharer for transport tests: byte tokens and deterministic KV of the configured geometry
 * ({@code latentlink.engine=synthetic}). Its relay text is the prompt's last words, which is enough to test the
 * TEXT plumbing and is not a language model.
 */
public final class SyntheticSharerEngine implements SharerEngine {

    /** Makes the KV of positions [start, end) of the given token ids, holding only {@code layers}. */
    @FunctionalInterface
    public interface Values {
        KvBlock block(int[] ids, int start, int end, List<Integer> layers);
    }

    private final KvGeometry geometry;
    private final java.time.Duration stepCost;
    private final Values values;

    /** @param stepCost stand-in compute time per prefill step, so tests have a stream to cancel or kill */
    public SyntheticSharerEngine(KvGeometry geometry, java.time.Duration stepCost) {
        this(geometry, stepCost, (ids, start, end, layers) -> SyntheticKv.block(geometry, ids, start, end, layers));
    }

    /** @param values where the KV values come from, e.g. {@code KvValueModel::block} */
    public SyntheticSharerEngine(KvGeometry geometry, java.time.Duration stepCost, Values values) {
        this.geometry = geometry;
        this.stepCost = stepCost;
        this.values = values;
    }

    @Override
    public KvGeometry geometry() {
        return geometry;
    }

    @Override
    public Prefill open(String prompt) {
        long t0 = System.nanoTime();
        int[] ids = SyntheticKv.tokenize(prompt);
        long tokenize = System.nanoTime() - t0;
        List<Integer> all = IntStream.range(0, geometry.layers()).boxed().toList();
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
                if (!stepCost.isZero()) {
                    try {
                        Thread.sleep(stepCost);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new Cancelled("interrupted");
                    }
                }
                int end = Math.min(ids.length, done + maxTokens);
                KvBlock block = values.block(ids, done, end, all);
                done = end;
                return block;
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public Generated relay(String prompt, GenerationOptions options, BooleanSupplier cancelled) {
        if (cancelled.getAsBoolean()) {
            throw new Cancelled("relay cancelled");
        }
        String[] words = prompt.trim().split("\\s+");
        int n = Math.min(options.maxTokens(), words.length);
        String text = String.join(" ", java.util.Arrays.copyOfRange(words, words.length - n, words.length));
        return new Generated(SyntheticKv.tokenize(prompt).length, n, text, "length", 0, 0, 0);
    }
}
