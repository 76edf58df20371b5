package io.latentlink.engine;

/** Receives tokens as they are decoded. */
@FunctionalInterface
public interface TokenSink {
    void accept(int index, int tokenId, String text);
}
