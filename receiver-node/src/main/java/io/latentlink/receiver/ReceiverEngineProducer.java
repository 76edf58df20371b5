package io.latentlink.receiver;

import io.latentlink.core.wire.KvGeometry;
import io.latentlink.transport.InflightTracker;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Picks the receiver engine named by {@code latentlink.engine}. */
public class ReceiverEngineProducer {

    @Produces
    @Singleton
    ReceiverEngine engine(ReceiverConfig config, InflightTracker tracker) {
        ReceiverEngine engine = switch (config.engine()) {
            case "synthetic" -> {
                ReceiverConfig.Synthetic s = config.synthetic();
                yield new SyntheticReceiverEngine(
                        new KvGeometry(s.modelId(), "", s.layers(), s.kvHeads(), s.headSize()), s.stepCost());
            }
            // An engine over core's DecoderSession, TextTokenizer and Generator goes here once core lands on main.
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
