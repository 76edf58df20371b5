package io.latentlink.receiver;

import java.time.Duration;

/** The settings a Generate call runs with when its request leaves them open. */
public record GenerateSettings(String defaultCodec, int chunkTokens, int creditWindow, int maxChunkBytes,
        Duration defaultDeadline, int defaultMaxTokens, int maxTokensLimit, String fuser, String projectorEndpoint,
        String senderEndpoint) {

    static GenerateSettings of(ReceiverConfig c) {
        return new GenerateSettings(c.codec(), c.chunkTokens(), c.creditWindow(), c.maxChunkBytes(),
                c.defaultDeadline(), c.defaultMaxTokens(), c.maxTokensLimit(), c.fuser(), c.projectorEndpoint(),
                c.senderEndpoint());
    }
}
