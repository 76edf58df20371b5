package io.latentlink.core.model;

/**
 * The outcome of one {@link Generator#generate} call.
 *
 * @param tokenIds       generated tokens, without a terminating eos or stop token (a stop string's tokens stay)
 * @param text           their text, cut before a stop string; {@code null} when no {@link TokenText} was given
 * @param stopReason     why generation ended
 * @param prefillTokens  prompt tokens run before the first generated token
 * @param prefillNanos   wall time of that prefill
 * @param decodeNanos    wall time of the decode steps
 */
public record GenerationResult(long[] tokenIds, String text, StopReason stopReason, int prefillTokens,
                               long prefillNanos, long decodeNanos) {
}
