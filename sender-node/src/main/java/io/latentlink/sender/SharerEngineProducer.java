package io.latentlink.sender;

import io.latentlink.core.wire.KvGeometry;
import io.latentlink.transport.InflightTracker;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Picks the sharer engine named by {@code latentlink.engine}. */
public class SharerEngineProducer {

    @Produces
    @Singleton
    SharerEngine engine(SenderConfig config, InflightTracker tracker) {
        SharerEngine engine = switch (config.engine()) {
            case "synthetic" -> new SyntheticSharerEngine(new KvGeometry(config.synthetic().modelId(), "",
                    config.synthetic().layers(), config.synthetic().kvHeads(), config.synthetic().headSize()),
                    config.synthetic().stepCost());
            // C2C/ONNX seam: an engine over core's DecoderSession + TextTokenizer goes here once core lands on main.
            case "onnx" -> throw new IllegalStateException(
                    "latentlink.engine=onnx needs core's model package, which this build does not have yet; "
                            + "use latentlink.engine=synthetic for transport-only runs");
            default -> throw new IllegalStateException("unknown latentlink.engine '" + config.engine()
                    + "' (expected onnx or synthetic)");
        };
        tracker.describeModel(engine.geometry().modelId());
        return engine;
    }
}
