package io.latentlink.bench.codec;

import io.latentlink.core.codec.KvBlockShape;
import io.latentlink.core.eval.LinkQaDataset;
import io.latentlink.core.eval.LinkQaItem;
import io.latentlink.core.link.LinkModel;
import io.latentlink.core.model.SessionConfig;
import io.latentlink.core.tensor.KvCache;
import io.latentlink.core.tensor.KvLayout;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The KV the codec benchmarks encode.
 * <ul>
 *   <li>Synthetic: {@code synthetic-HxTxD}, Gaussian values with one loud channel in 16 (x10) and a loud first token
 *       (x3), seeded.</li>
 *   <li>Real: the demo models' prefill KV of LinkQA-context test prompts, in the wire's chunks of
 *       {@value #CHUNK_TOKENS} tokens ({@link #realChunks}); {@code rx-K} etc. is the first full chunk's keys or values of
 *       all layers as one block {@code [layers * kvHeads, tokens, headDim]}, as int8z frames them.</li>
 * </ul>
 */
public final class CodecData {

    /** The nodes' default {@code latentlink.chunk-tokens}. */
    public static final int CHUNK_TOKENS = 32;

    /** One wire chunk: every layer's keys and values of a token range, {@code [layers, 2, kvHeads, tokens, headDim]}. */
    public record Chunk(float[] values, int layers, int kvHeads, int tokens, int headDim) {
        /** The keys ({@code kv = 0}) or values ({@code kv = 1}) of all layers, {@code [layers * kvHeads, tokens, headDim]}. */
        public float[] side(int kv) {
            int block = kvHeads * tokens * headDim;
            float[] out = new float[layers * block];
            for (int l = 0; l < layers; l++) {
                System.arraycopy(values, (2 * l + kv) * block, out, l * block, block);
            }
            return out;
        }

        public KvBlockShape sideShape() {
            return new KvBlockShape(layers * kvHeads, tokens, headDim);
        }
    }

    /** A block to benchmark and its shape. */
    public record Block(float[] values, KvBlockShape shape) {
    }

    private CodecData() {
    }

    /** {@code synthetic-HxTxD}, or {@code <model>-K} / {@code <model>-V} (a full chunk of the first long prompt). */
    public static Block block(String data, Path models) {
        if (data.startsWith("synthetic-")) {
            String[] d = data.substring("synthetic-".length()).split("x");
            KvBlockShape shape = new KvBlockShape(Integer.parseInt(d[0]), Integer.parseInt(d[1]), Integer.parseInt(d[2]));
            return new Block(synthetic(shape, 1), shape);
        }
        int dash = data.lastIndexOf('-');
        String kind = dash < 0 ? "" : data.substring(dash + 1);
        if (!kind.equals("K") && !kind.equals("V")) {
            throw new IllegalArgumentException("data '" + data + "' is neither synthetic-HxTxD nor <model>-K|V");
        }
        // The first full 32-token chunk of the first prompts (every JMH fork prefills them, so few).
        for (Chunk c : realChunks(models, data.substring(0, dash), 2)) {
            if (c.tokens() == CHUNK_TOKENS) {
                return new Block(c.side(kind.equals("K") ? 0 : 1), c.sideShape());
            }
        }
        throw new IllegalStateException("no full " + CHUNK_TOKENS + "-token chunk in the first prompts");
    }

    static float[] synthetic(KvBlockShape shape, long seed) {
        Random random = new Random(seed);
        int hd = shape.headDim();
        float[] x = new float[shape.elements()];
        for (int i = 0; i < x.length; i++) {
            int d = i % hd;
            int t = (i / hd) % shape.tokens();
            x[i] = (float) random.nextGaussian() * (d % 16 == 5 ? 10f : 1f) * (t == 0 ? 3f : 1f);
        }
        return x;
    }

    /**
     * Prefills {@code model} (under {@code models}) on the first {@code prompts} LinkQA-context test prompts, each
     * on its own, and cuts each cache into the wire's {@value #CHUNK_TOKENS}-token chunks, all layers per chunk.
     * Odd prompts are the plain form, even ones the script form (the file alternates them).
     */
    public static List<Chunk> realChunks(Path models, String model, int prompts) {
        List<LinkQaItem> items = LinkQaDataset.read(models.resolve("linkqa/context-test.jsonl"));
        List<Chunk> chunks = new ArrayList<>();
        try (LinkModel m = LinkModel.open(models.resolve(model), SessionConfig.cpu(1))) {
            for (LinkQaItem item : items.subList(0, Math.min(prompts, items.size()))) {
                try (KvCache cache = m.session().newCache()) {
                    m.session().prefill(cache, m.promptIds(item.prompt()));
                    KvLayout layout = cache.layout();
                    int tokens = cache.tokens();
                    for (int t0 = 0; t0 < tokens; t0 += CHUNK_TOKENS) {
                        int n = Math.min(CHUNK_TOKENS, tokens - t0);
                        int block = layout.kvHeads() * n * layout.headDim();
                        float[] values = new float[2 * layout.layers() * block];
                        for (int l = 0; l < layout.layers(); l++) {
                            System.arraycopy(cache.keys(l, t0, t0 + n).toArray(), 0, values, 2 * l * block, block);
                            System.arraycopy(cache.values(l, t0, t0 + n).toArray(), 0, values, (2 * l + 1) * block,
                                    block);
                        }
                        chunks.add(new Chunk(values, layout.layers(), layout.kvHeads(), n, layout.headDim()));
                    }
                }
            }
        }
        return chunks;
    }
}
