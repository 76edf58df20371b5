package io.latentlink.engine;

/** Sampling settings for one generation. temperature 0 means greedy. */
public record GenerationOptions(int maxTokens, float temperature, int topK, float topP, long seed,
        boolean stopAtNewline) {

    public GenerationOptions {
        if (maxTokens <= 0) {
            throw new IllegalArgumentException("max tokens must be positive, got " + maxTokens);
        }
        if (temperature < 0 || Float.isNaN(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top-k must be >= 0, got " + topK);
        }
        if (topP < 0 || topP > 1 || Float.isNaN(topP)) {
            throw new IllegalArgumentException("top-p must be in [0, 1], got " + topP);
        }
    }

    public static GenerationOptions greedy(int maxTokens) {
        return new GenerationOptions(maxTokens, 0f, 0, 1f, 0L, true);
    }
}
