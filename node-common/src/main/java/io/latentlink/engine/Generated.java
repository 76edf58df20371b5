package io.latentlink.engine;

/** What a finished generation reports. Times in nanoseconds. */
public record Generated(int promptTokens, int generatedTokens, String text, String stopReason, long tokenizeNanos,
        long prefillNanos, long decodeNanos) {
}
