package io.latentlink.sender;

import java.time.Duration;

/** The settings a Share call runs with when its request leaves them open. */
public record ShareSettings(String defaultCodec, int chunkTokens, int maxChunkBytes, Duration defaultDeadline) {

    static ShareSettings of(SenderConfig c) {
        return new ShareSettings(c.codec(), c.chunkTokens(), c.maxChunkBytes(), c.defaultDeadline());
    }
}
