package io.latentlink.core.model;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * How the next token is picked from logits: greedy (argmax, first index on ties, like {@code torch.argmax}) or
 * seeded sampling with temperature, top-k and top-p (applied in that order: scale, keep the k best, keep the smallest
 * set of those whose probability reaches p, renormalise, draw).
 *
 * @param greedy      pick the argmax; the other fields are then ignored
 * @param temperature softmax temperature, &gt; 0
 * @param topK        keep the k most likely tokens; 0 keeps all
 * @param topP        nucleus mass in (0, 1]
 * @param seed        seed of the draw; the same seed, logits and settings give the same tokens
 */
public record Sampling(boolean greedy, double temperature, int topK, double topP, long seed) {
    public Sampling {
        if (!greedy) {
            if (!(temperature > 0) || Double.isInfinite(temperature)) {
                throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
            }
            if (topK < 0) {
                throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
            }
            if (!(topP > 0 && topP <= 1)) {
                throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
            }
        }
    }

    public static Sampling greedyDecoding() {
        return new Sampling(true, 1.0, 0, 1.0, 0);
    }

    public static Sampling random(double temperature, int topK, double topP, long seed) {
        return new Sampling(false, temperature, topK, topP, seed);
    }

    /** The manifest's {@code search} defaults (seed from {@code random_seed}, else {@code fallbackSeed}). */
    public static Sampling fromManifest(ModelManifest.Search search, long fallbackSeed) {
        if (!search.doSample()) {
            return greedyDecoding();
        }
        return random(search.temperature(), search.topK(), search.topP(),
                search.randomSeed().isPresent() ? search.randomSeed().getAsInt() : fallbackSeed);
    }

    /** A fresh sampler (its random state starts at {@link #seed()}); one per generated sequence. */
    public Sampler newSampler() {
        return greedy ? Sampling::argmax : new Seeded(this);
    }

    /** Picks token ids from logits; stateful when sampling. */
    @FunctionalInterface
    public interface Sampler {
        int next(float[] logits);
    }

    /** Index of the largest logit, the first one on ties. @throws IllegalStateException on NaN logits */
    public static int argmax(float[] logits) {
        if (logits.length == 0) {
            throw new IllegalArgumentException("no logits");
        }
        int best = 0;
        for (int i = 0; i < logits.length; i++) {
            if (Float.isNaN(logits[i])) {
                throw new IllegalStateException("the model produced a NaN logit at token id " + i);
            }
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    private static final class Seeded implements Sampler {
        private final Sampling p;
        private final SplittableRandom random;

        Seeded(Sampling p) {
            this.p = p;
            this.random = new SplittableRandom(p.seed());
        }

        @Override
        public int next(float[] logits) {
            int vocab = logits.length;
            argmax(logits); // rejects NaN
            // Sort ids by logit, best first, through order-preserving integer keys packed with the id.
            long[] keyed = new long[vocab];
            for (int i = 0; i < vocab; i++) {
                int bits = Float.floatToIntBits(logits[i]);
                int ordered = bits ^ ((bits >> 31) & 0x7fffffff);
                keyed[i] = ((long) ordered << 32) | (vocab - 1 - i); // lower id first on ties
            }
            Arrays.sort(keyed);
            int keep = p.topK() > 0 ? Math.min(p.topK(), vocab) : vocab;
            int[] ids = new int[keep];
            double[] probs = new double[keep];
            for (int r = 0; r < keep; r++) {
                ids[r] = vocab - 1 - (int) (keyed[vocab - 1 - r] & 0xffffffffL);
            }
            double max = logits[ids[0]] / p.temperature();
            double sum = 0;
            for (int r = 0; r < keep; r++) {
                probs[r] = Math.exp(logits[ids[r]] / p.temperature() - max);
                sum += probs[r];
            }
            int nucleus = keep;
            if (p.topP() < 1.0) {
                double cumulative = 0;
                for (int r = 0; r < keep; r++) {
                    cumulative += probs[r] / sum;
                    if (cumulative >= p.topP()) {
                        nucleus = r + 1;
                        break;
                    }
                }
            }
            double mass = 0;
            for (int r = 0; r < nucleus; r++) {
                mass += probs[r];
            }
            double u = random.nextDouble() * mass;
            for (int r = 0; r < nucleus; r++) {
                u -= probs[r];
                if (u < 0) {
                    return ids[r];
                }
            }
            return ids[nucleus - 1];
        }
    }
}
