package io.latentlink.sender;

import io.latentlink.core.model.SessionConfig;
import io.latentlink.core.wire.KvGeometry;
import io.latentlink.engine.KvStats;
import io.latentlink.engine.KvValueModel;
import io.latentlink.engine.ModelsDir;
import io.latentlink.transport.InflightTracker;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;

/** Picks the sharer engine named by {@code latentlink.engine}. */
public class SharerEngineProducer {

    // Built at startup, not on the first call's event-loop thread: models load before the node reports SERVING,
    // and a node whose models are missing fails to start instead of failing its first request.
    @Produces
    @Singleton
    @Startup
    SharerEngine engine(SenderConfig config, InflightTracker tracker) {
        SharerEngine engine = switch (config.engine()) {
            case "synthetic" -> synthetic(config.synthetic());
            case "onnx" -> new OnnxSharerEngine(ModelsDir.resolve(config.modelsDir()).resolve(config.model()),
                    SessionConfig.parse(config.session()), config.chunkTokens());
            default -> throw new IllegalStateException("unknown latentlink.engine '" + config.engine()
                    + "' (expected onnx or synthetic)");
        };
        tracker.describeModel(engine.geometry().modelId());
        return engine;
    }

    static SyntheticSharerEngine synthetic(SenderConfig.Synthetic s) {
        KvGeometry g = new KvGeometry(s.modelId(), "", s.layers(), s.kvHeads(), s.headSize());
        return switch (s.values()) {
            case "hash" -> new SyntheticSharerEngine(g, s.stepCost());
            case "realistic" -> {
                Path stats = Path.of(s.valueStats().orElseThrow(() -> new IllegalStateException(
                        "latentlink.synthetic.values=realistic needs latentlink.synthetic.value-stats"
                                + " (a kv-stats.json from bench's KvStatsTool)")));
                KvValueModel values = KvValueModel.of(g, KvStats.read(stats, s.valueStatsModel()), s.valueSeed(),
                        KvValueModel.DEFAULT_POOL_ROWS);
                yield new SyntheticSharerEngine(g, s.stepCost(), values::block);
            }
            default -> throw new IllegalStateException("unknown latentlink.synthetic.values '" + s.values()
                    + "' (expected hash or realistic)");
        };
    }

    /** Frees the ONNX sessions and tokenizers at shutdown. */
    void close(@Disposes SharerEngine engine) throws Exception {
        if (engine instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }
}
