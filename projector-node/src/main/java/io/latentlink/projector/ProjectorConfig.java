package io.latentlink.projector;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** projector-node settings ({@code latentlink.*}); the gRPC port is {@code quarkus.grpc.server.port}. */
@ConfigMapping(prefix = "latentlink")
public interface ProjectorConfig {

    /** Folder holding the model and fuser folders; default: the nearest models/ above the working directory. */
    Optional<String> modelsDir();

    /** {@code onnx}: core's fuser runner; {@code synthetic}: stand-in fusion for transport tests. */
    @WithDefault("onnx")
    String engine();

    /** Fuser folders to load at startup (others load on first use). */
    @WithDefault("fuser-rx-sx")
    Optional<List<String>> preload();

    /** Codec for fused chunks and the sharer leg when a request names none. */
    @WithDefault("fp16")
    String codec();

    /** Sharer prompt tokens per chunk step. */
    @WithDefault("32")
    int chunkTokens();

    /** Chunks the projector lets each peer have in flight towards it (sharer chunks, receiver chunks). */
    @WithDefault("8")
    int creditWindow();

    @WithDefault("1048576")
    int maxChunkBytes();

    @WithDefault("30s")
    Duration defaultDeadline();

    /**
     * Serve the reserved fuser id {@value FuseCall#PASS_THROUGH}: fusion off, the sharer's chunks are checked and
     * forwarded to the caller unchanged (transport benchmarks). Off by default, so no deployment forwards raw
     * sharer KV unless it says so.
     */
    @WithDefault("false")
    boolean passthrough();

    Synthetic synthetic();

    /** The synthetic engine's fuser and the geometries it joins. */
    interface Synthetic {
        @WithDefault("fuser-rx-sx")
        String fuserId();

        @WithDefault("rx")
        String receiverModelId();

        @WithDefault("4")
        int receiverLayers();

        @WithDefault("2")
        int receiverKvHeads();

        @WithDefault("32")
        int receiverHeadSize();

        @WithDefault("sx")
        String sharerModelId();

        @WithDefault("4")
        int sharerLayers();

        @WithDefault("4")
        int sharerKvHeads();

        @WithDefault("32")
        int sharerHeadSize();

        /** One 0/1 per receiver layer. */
        @WithDefault("1,0,1,1")
        List<Integer> gates();
    }
}
