package io.latentlink.projector;

import java.time.Duration;

/** The settings a Fuse call runs with when its request leaves them open. */
public record FuseSettings(String defaultCodec, int chunkTokens, int creditWindow, int maxChunkBytes,
        Duration defaultDeadline, boolean passThrough) {

    static FuseSettings of(ProjectorConfig c) {
        return new FuseSettings(c.codec(), c.chunkTokens(), c.creditWindow(), c.maxChunkBytes(), c.defaultDeadline(),
                c.passthrough());
    }
}
