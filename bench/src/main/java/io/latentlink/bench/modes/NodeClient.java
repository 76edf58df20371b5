package io.latentlink.bench.modes;

import io.grpc.Channel;
import io.latentlink.bench.TimedGenerate;
import io.latentlink.core.eval.LinkQaItem;
import io.latentlink.proto.v1.GenerateRequest;
import io.latentlink.proto.v1.GenerateStats;
import io.latentlink.proto.v1.GenerationSettings;
import io.latentlink.proto.v1.Mode;
import io.latentlink.proto.v1.ReceiverGrpc;
import io.latentlink.proto.v1.StageTimings;

import java.util.LinkedHashMap;
import java.util.Map;

/** Asks the receiver node one LinkQA question and times it from the client's side. */
final class NodeClient {
    private final ReceiverGrpc.ReceiverBlockingStub stub;
    private final int maxTokens;

    NodeClient(Channel receiver, int maxTokens) {
        this.stub = ReceiverGrpc.newBlockingStub(receiver);
        this.maxTokens = maxTokens;
    }

    ModeSample ask(LinkQaItem item, Mode mode, String codec) {
        GenerateRequest request = GenerateRequest.newBuilder().setPrompt(item.prompt()).setMode(mode).setCodecId(codec)
                .setSettings(GenerationSettings.newBuilder().setMaxTokens(maxTokens)).build();
        TimedGenerate.Timed call = TimedGenerate.call(stub, request, 120);
        if (call.error() != null) {
            return ModeSample.failed(call.latencyMs(), call.error().getCode().name());
        }
        GenerateStats stats = call.stats();
        if (stats == null) {
            return ModeSample.failed(call.latencyMs(), "NO_STATS");
        }
        String text = stats.getText().strip();
        return new ModeSample(item.isCorrect(text), text, call.latencyMs(), call.firstTokenMs(), stats.getWireBytes(),
                stats.getRawBytes(), stages(stats.getTimings()), null);
    }

    static Map<String, Double> stages(StageTimings t) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("tokenize", t.getTokenizeUs() / 1e3);
        m.put("prefill", t.getPrefillUs() / 1e3);
        m.put("encode", t.getEncodeUs() / 1e3);
        m.put("transfer", t.getTransferUs() / 1e3);
        m.put("fuse", t.getFuseUs() / 1e3);
        m.put("decode", t.getDecodeUs() / 1e3);
        return m;
    }
}
