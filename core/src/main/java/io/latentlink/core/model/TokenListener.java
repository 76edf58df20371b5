package io.latentlink.core.model;

/** Receives each generated token as soon as it is chosen (streaming). */
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
