package io.latentlink.core.model;

import java.util.List;
import java.util.Set;

/**
 * What one {@link Generator#generate} call does.
 *
 * @param maxNewTokens    most tokens to generate (&gt; 0)
 * @param sampling        greedy or seeded sampling
 * @param stopOnEos       stop when the model emits one of the manifest's {@code eos_token_id}s
 * @param stopTokenIds    further token ids that stop generation (not included in the output)
 * @param stopStrings     stop once the decoded text contains one of these (needs a {@link TokenText}); the text is
 *                        cut before it
 * @param prefillChunkSize prefill the pending prompt tokens in chunks of this many; 0 = one run
 */
public record GenerationConfig(int maxNewTokens, Sampling sampling, boolean stopOnEos, Set<Long> stopTokenIds,
                               List<String> stopStrings, int prefillChunkSize) {
    public GenerationConfig {
        if (maxNewTokens <= 0) {
            throw new IllegalArgumentException("maxNewTokens must be > 0, got " + maxNewTokens);
        }
        if (sampling == null) {
            throw new IllegalArgumentException("sampling is required");
        }
        if (prefillChunkSize < 0) {
            throw new IllegalArgumentException("prefillChunkSize must be >= 0, got " + prefillChunkSize);
        }
        stopTokenIds = Set.copyOf(stopTokenIds);
        stopStrings = List.copyOf(stopStrings);
        for (String s : stopStrings) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("stop strings must not be empty");
            }
        }
    }

    /** Greedy, stop on eos, no stop strings, single-run prefill. */
    public static GenerationConfig greedy(int maxNewTokens) {
        return new GenerationConfig(maxNewTokens, Sampling.greedyDecoding(), true, Set.of(), List.of(), 0);
    }

    public GenerationConfig withSampling(Sampling s) {
        return new GenerationConfig(maxNewTokens, s, stopOnEos, stopTokenIds, stopStrings, prefillChunkSize);
    }

    public GenerationConfig withStopOnEos(boolean stop) {
        return new GenerationConfig(maxNewTokens, sampling, stop, stopTokenIds, stopStrings, prefillChunkSize);
    }

    public GenerationConfig withStopTokenIds(Set<Long> ids) {
        return new GenerationConfig(maxNewTokens, sampling, stopOnEos, ids, stopStrings, prefillChunkSize);
    }

    public GenerationConfig withStopStrings(List<String> strings) {
        return new GenerationConfig(maxNewTokens, sampling, stopOnEos, stopTokenIds, strings, prefillChunkSize);
    }

    public GenerationConfig withPrefillChunkSize(int chunk) {
        return new GenerationConfig(maxNewTokens, sampling, stopOnEos, stopTokenIds, stopStrings, chunk);
    }
}
