package io.latentlink.projector;

import io.latentlink.core.wire.KvGeometry;
import io.latentlink.engine.ModelsDir;
import java.util.List;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Picks the fuser engine named by {@code latentlink.engine}. */
public class FuserEngineProducer {

    // Built at startup, not on the first call's event-loop thread: models load before the node reports SERVING,
    // and a node whose models are missing fails to start instead of failing its first request.
    @Produces
    @Singleton
    @Startup
    FuserEngine engine(ProjectorConfig config) {
        return switch (config.engine()) {
            case "synthetic" -> {
                ProjectorConfig.Synthetic s = config.synthetic();
                boolean[] gates = new boolean[s.gates().size()];
                for (int i = 0; i < gates.length; i++) {
                    gates[i] = s.gates().get(i) != 0;
                }
                yield new SyntheticFuserEngine(s.fuserId(),
                        new KvGeometry(s.receiverModelId(), "", s.receiverLayers(), s.receiverKvHeads(),
                                s.receiverHeadSize()),
                        new KvGeometry(s.sharerModelId(), "", s.sharerLayers(), s.sharerKvHeads(), s.sharerHeadSize()),
                        gates);
            }
            case "onnx" -> {
                OnnxFuserEngine engine = new OnnxFuserEngine(ModelsDir.resolve(config.modelsDir()));
                for (String id : config.preload().orElse(List.of())) {
                    try {
                        engine.preload(id);
                    } catch (RuntimeException e) {
                        // Still serve: other fusers may be fine, and every Fuse naming this one gets NOT_FOUND.
                        Log.warnf("fuser %s not loaded: %s", id, e.getMessage());
                    }
                }
                yield engine;
            }
            default -> throw new IllegalStateException("unknown latentlink.engine '" + config.engine()
                    + "' (expected onnx or synthetic)");
        };
    }

    /** Frees the ONNX sessions and tokenizers at shutdown. */
    void close(@Disposes FuserEngine engine) throws Exception {
        if (engine instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }
}
