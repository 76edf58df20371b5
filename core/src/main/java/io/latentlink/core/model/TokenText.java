package io.latentlink.core.model;

/**
 * Turns generated token ids into text, for stop strings and for {@link GenerationResult#text()}. A tokenizer adapts
 * to this in one line (e.g. {@code ids -> tokenizer.decode(ids)}); the model package does not depend on tokenizers.
 */
@FunctionalInterface
public interface TokenText {
    String decode(long[] ids);
}
