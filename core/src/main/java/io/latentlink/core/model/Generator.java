package io.latentlink.core.model;

import io.latentlink.core.tensor.KvCache;

import java.util.Arrays;
import java.util.List;

/**
 * Autoregressive generation with a {@link DecoderSession}, starting from whatever a {@link KvCache} already holds.
 *
 * <p>Give it the tokens not yet in the cache ({@code pending}, at least one): it runs them (chunked if configured),
 * then picks a token, streams it, feeds it back, until eos, a stop token, a stop string, {@code maxNewTokens}, the
 * context length, or the listener says stop. For plain generation the cache is empty and {@code pending} is the
 * prompt; for C2C the cache holds the fused prompt prefix and {@code pending} is the last prompt token.
 *
 * <p>The cache is left holding everything run, so a caller may continue from it. A generator is stateless and may
 * be shared; each call uses its own sampler.
 */
public final class Generator {
    private final DecoderSession session;

    public Generator(DecoderSession session) {
        this.session = session;
    }

    /** Generates without text (no stop strings) and without streaming. */
    public GenerationResult generate(KvCache cache, long[] pending, GenerationConfig config) {
        return generate(cache, pending, config, null, TokenListener.NONE);
    }

    /**
     * @param cache    holds the context so far; extended in place
     * @param pending  tokens to run before the first generated token (at least one)
     * @param config   stopping and sampling
     * @param text     detokenizer for stop strings and the result's text; may be null if there are no stop strings
     * @param listener called for each generated token (not for a terminating eos/stop token)
     */
    public GenerationResult generate(KvCache cache, long[] pending, GenerationConfig config, TokenText text,
                                     TokenListener listener) {
        if (pending.length == 0) {
            throw new IllegalArgumentException("need at least one pending token to get the first logits");
        }
        if (!config.stopStrings().isEmpty() && text == null) {
            throw new IllegalArgumentException("stop strings need a TokenText to decode the generated tokens");
        }
        List<Integer> eos = session.manifest().eosTokenIds();
        int context = session.manifest().contextLength();
        Sampling.Sampler sampler = config.sampling().newSampler();

        long t0 = System.nanoTime();
        float[] logits = config.prefillChunkSize() > 0
                ? session.prefill(cache, pending, config.prefillChunkSize())
                : session.prefill(cache, pending);
        long prefillNanos = System.nanoTime() - t0;

        long[] out = new long[Math.min(config.maxNewTokens(), 64)];
        int count = 0;
        StopReason reason = null;
        String decoded = null;
        long t1 = System.nanoTime();
        while (true) {
            int next = sampler.next(logits);
            if (config.stopOnEos() && eos.contains(next)) {
                reason = StopReason.EOS;
                break;
            }
            if (config.stopTokenIds().contains((long) next)) {
                reason = StopReason.STOP_TOKEN;
                break;
            }
            if (count == out.length) {
                out = Arrays.copyOf(out, out.length * 2);
            }
            out[count++] = next;
            if (!listener.onToken(count - 1, next)) {
                reason = StopReason.CANCELLED;
                break;
            }
            if (!config.stopStrings().isEmpty()) {
                String soFar = text.decode(Arrays.copyOf(out, count));
                int cut = firstStop(soFar, config.stopStrings());
                if (cut >= 0) {
                    decoded = soFar.substring(0, cut);
                    reason = StopReason.STOP_STRING;
                    break;
                }
            }
            if (count >= config.maxNewTokens()) {
                reason = StopReason.MAX_TOKENS;
                break;
            }
            if (cache.tokens() >= context) {
                reason = StopReason.CONTEXT_FULL;
                break;
            }
            logits = session.decode(cache, next);
        }
        long decodeNanos = System.nanoTime() - t1;
        long[] ids = Arrays.copyOf(out, count);
        if (decoded == null && text != null) {
            decoded = text.decode(ids);
        }
        return new GenerationResult(ids, decoded, reason, pending.length, prefillNanos, decodeNanos);
    }

    private static int firstStop(String s, List<String> stops) {
        int best = -1;
        for (String stop : stops) {
            int i = s.indexOf(stop);
            if (i >= 0 && (best < 0 || i < best)) {
                best = i;
            }
        }
        return best;
    }
}
