package io.latentlink.core.link;

/** How the receiver gets what the sharer knows. */
public enum LinkMode {
    /** The receiver answers alone: the baseline. */
    RECEIVER_ONLY,
    /** The sharer answers alone (reference only: the sharer is not the agent that answers in the product). */
    SHARER_ONLY,
    /** Text relay: the sharer writes one sentence, the receiver reads it as context. */
    TEXT,
    /** Cache-to-cache: the sharer's KV cache is fused into the receiver's. */
    C2C;

    public static LinkMode parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown mode '" + name + "'; known: " + java.util.Arrays.toString(values()));
        }
    }
}
