package io.latentlink.sender;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** sender-node settings ({@code latentlink.*}); the gRPC port is {@code quarkus.grpc.server.port}. */
@ConfigMapping(prefix = "latentlink")
public interface SenderConfig {

    /** Folder holding the model folders; default: the nearest models/ above the working directory. */
    Optional<String> modelsDir();

    /** Sharer model folder name. */
    @WithDefault("sx")
    String model();

    /** {@code onnx}: the real model; {@code synthetic}: deterministic stand-in KV for transport tests. */
    @WithDefault("onnx")
    String engine();

    /** ONNX Runtime execution provider: cpu, cuda or cuda:N. */
    @WithDefault("cpu")
    String session();

    /** Codec used when a request names none. */
    @WithDefault("fp16")
    String codec();

    /** Prompt tokens prefilled per step, so the first chunks leave before the whole prompt is done. */
    @WithDefault("32")
    int chunkTokens();

    /** Payload budget of one chunk; stays well under gRPC's 4 MiB message limit. */
    @WithDefault("1048576")
    int maxChunkBytes();

    @WithDefault("30s")
    Duration defaultDeadline();

    Synthetic synthetic();

    /** Geometry of the synthetic engine (sx-like: plain MHA). */
    interface Synthetic {
        @WithDefault("sx")
        String modelId();

        @WithDefault("4")
        int layers();

        @WithDefault("4")
        int kvHeads();

        @WithDefault("32")
        int headSize();

        /** Stand-in compute time per prefill step. */
        @WithDefault("0s")
        Duration stepCost();

        /**
         * How values are drawn: {@code hash} (a fixed function of the indices, cheap to check in tests) or
         * {@code realistic} (per-channel scales and outlier channels drawn from measured KV statistics, see
         * {@code io.latentlink.engine.KvValueModel}; needs {@code value-stats}).
         */
        @WithDefault("hash")
        String values();

        /** kv-stats.json written by bench's KvStatsTool; required for {@code values=realistic}. */
        Optional<String> valueStats();

        /** Which measured model's statistics to use. */
        @WithDefault("rx")
        String valueStatsModel();

        @WithDefault("1")
        long valueSeed();
    }
}
