package io.latentlink.sender;

import io.latentlink.core.model.SessionConfig;
import io.latentlink.core.wire.KvGeometry;
import io.latentlink.engine.ModelsDir;
import io.latentlink.transport.InflightTracker;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Picks the sharer engine named by {@code latentlink.engine}. */
public class SharerEngineProducer {

    // Built at startup, not on the first call's event-loop thread: models load before the node reports SERVING,
    // and a node whose models are missing fails to start instead of failing its first request.
    @Produces
    @Singleton
    @Startup
    SharerEngine engine(SenderConfig config, InflightTracker tracker) {
        SharerEngine engine = switch (config.engine()) {
            case "synthetic" -> new SyntheticSharerEngine(new KvGeometry(config.synthetic().modelId(), "",
                    config.synthetic().layers(), config.synthetic().kvHeads(), config.synthetic().headSize()),
                    config.synthetic().stepCost());
            case "onnx" -> new OnnxSharerEngine(ModelsDir.resolve(config.modelsDir()).resolve(config.model()),
                    SessionConfig.parse(config.session()), config.chunkTokens());
            default -> throw new IllegalStateException("unknown latentlink.engine '" + config.engine()
                    + "' (expected onnx or synthetic)");
        };
        tracker.describeModel(engine.geometry().modelId());
        return engine;
    }

    /** Frees the ONNX sessions and tokenizers at shutdown. */
    void close(@Disposes SharerEngine engine) throws Exception {
        if (engine instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }
}
