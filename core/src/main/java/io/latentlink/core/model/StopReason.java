package io.latentlink.core.model;

/** Why a generation ended. */
public enum StopReason {
    /** The model produced one of the manifest's eos ids. */
    EOS,
    /** The model produced one of the configured extra stop token ids. */
    STOP_TOKEN,
    /** The decoded text came to contain a stop string. */
    STOP_STRING,
    /** {@code maxNewTokens} were generated. */
    MAX_TOKENS,
    /** The sequence reached the model's context length. */
    CONTEXT_FULL,
    /** The token listener asked to stop. */
    CANCELLED
}
