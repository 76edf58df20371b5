package io.latentlink.receiver;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** receiver-node settings ({@code latentlink.*}); the gRPC port is {@code quarkus.grpc.server.port}. */
@ConfigMapping(prefix = "latentlink")
public interface ReceiverConfig {

    /** Folder holding the model folders; default: the nearest models/ above the working directory. */
    Optional<String> modelsDir();

    /** Receiver model folder name. */
    @WithDefault("rx")
    String model();

    /** {@code onnx}: the real model; {@code synthetic}: stand-in KV and tokens for transport tests. */
    @WithDefault("onnx")
    String engine();

    /** ONNX Runtime execution provider: cpu, cuda or cuda:N. */
    @WithDefault("cpu")
    String session();

    /** Fuser folder name used in C2C mode. */
    @WithDefault("fuser-rx-sx")
    String fuser();

    /** Peers, host:port; a request may override them. */
    @WithDefault("localhost:9102")
    String projectorEndpoint();

    @WithDefault("localhost:9101")
    String senderEndpoint();

    /** Codec when a request names none. */
    @WithDefault("fp16")
    String codec();

    /** Prompt tokens prefilled per step in C2C mode. */
    @WithDefault("32")
    int chunkTokens();

    /** Fused chunks the projector may have in flight towards this node. */
    @WithDefault("8")
    int creditWindow();

    @WithDefault("1048576")
    int maxChunkBytes();

    @WithDefault("30s")
    Duration defaultDeadline();

    /** Generated tokens when a request says 0. */
    @WithDefault("16")
    int defaultMaxTokens();

    /** The most tokens one request may ask for. */
    @WithDefault("512")
    int maxTokensLimit();

    Synthetic synthetic();

    /** Geometry of the synthetic engine (rx-like: GQA). */
    interface Synthetic {
        @WithDefault("rx")
        String modelId();

        @WithDefault("4")
        int layers();

        @WithDefault("2")
        int kvHeads();

        @WithDefault("32")
        int headSize();

        /** Stand-in compute time per prefill step and per decoded token. */
        @WithDefault("0s")
        Duration stepCost();
    }
}
