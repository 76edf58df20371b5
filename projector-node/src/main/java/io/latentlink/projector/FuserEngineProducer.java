package io.latentlink.projector;

import io.latentlink.core.wire.KvGeometry;
import io.latentlink.engine.ModelsDir;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Picks the fuser engine named by {@code latentlink.engine}. */
public class FuserEngineProducer {

    @Produces
    @Singleton
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
            case "onnx" -> new OnnxFuserEngine(ModelsDir.resolve(config.modelsDir()));
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
