package io.latentlink.projector;

import io.latentlink.core.wire.KvGeometry;
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
            // C2C seam: an engine over core.fusion's fuser runner (fuser.json, layer map, gates, token alignment from
            // both tokenizers' character offsets, layer_<i>.onnx) goes here once it lands on main.
            case "onnx" -> throw new IllegalStateException(
                    "latentlink.engine=onnx needs core's fusion package, which this build does not have yet; "
                            + "use latentlink.engine=synthetic for transport-only runs");
            default -> throw new IllegalStateException("unknown latentlink.engine '" + config.engine()
                    + "' (expected onnx or synthetic)");
        };
    }
}
