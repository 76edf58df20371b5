package io.latentlink.core.model;

/**
 * Receives each generated token as soon as it is chosen (streaming). A terminating eos or stop token is not passed on;
 * the tokens that form a stop string are (the stop is only known once they are out), while
 * {@link GenerationResult#text()} is cut before the stop string. Called on the generating thread.
 */
@FunctionalInterface
public interface TokenListener {
    /**
     * @param index   0 for the first generated token
     * @param tokenId the token
     * @return {@code true} to go on, {@code false} to stop ({@link StopReason#CANCELLED})
     */
    boolean onToken(int index, long tokenId);

    TokenListener NONE = (index, tokenId) -> true;
}
