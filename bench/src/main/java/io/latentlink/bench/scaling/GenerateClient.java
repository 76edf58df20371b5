package io.latentlink.bench.scaling;

import io.grpc.Channel;
import io.latentlink.bench.TimedGenerate;
import io.latentlink.proto.v1.GenerateRequest;
import io.latentlink.proto.v1.GenerateStats;
import io.latentlink.proto.v1.GenerationSettings;
import io.latentlink.proto.v1.Mode;
import io.latentlink.proto.v1.ReceiverGrpc;


/** One Receiver.Generate call timed from the client's side. */
public final class GenerateClient {
    private final ReceiverGrpc.ReceiverBlockingStub stub;
    private final int maxTokens;

    public GenerateClient(Channel receiver, int maxTokens) {
        this.stub = ReceiverGrpc.newBlockingStub(receiver);
        this.maxTokens = maxTokens;
    }

    /**
     * @param promptTokens receiver prompt tokens (GenerateStats.prompt_tokens); 0 on error
     * @param error        the gRPC status code of a failed call (or NO_STATS, FALLBACK), else null
     */
    public record Result(double latencyMs, double firstTokenMs, int promptTokens, long wireBytes, long rawBytes,
                         String text, String error) {
    }

    public static GenerateRequest request(String prompt, Mode mode, String codec, int maxTokens) {
        return GenerateRequest.newBuilder().setPrompt(prompt).setMode(mode).setCodecId(codec == null ? "" : codec)
                .setSettings(GenerationSettings.newBuilder().setMaxTokens(maxTokens)).build();
    }

    public Result ask(String prompt, Mode mode, String codec) {
        GenerateRequest request = request(prompt, mode, codec, maxTokens);
        TimedGenerate.Timed call = TimedGenerate.call(stub, request, 120);
        if (call.error() != null) {
            return new Result(call.latencyMs(), Double.NaN, 0, 0, 0, "",
                    call.error().getCode().name() + ": " + call.error().getDescription());
        }
        GenerateStats stats = call.stats();
        if (stats == null) {
            return new Result(call.latencyMs(), call.firstTokenMs(), 0, 0, 0, "", "NO_STATS");
        }
        return new Result(call.latencyMs(), call.firstTokenMs(), stats.getPromptTokens(), stats.getWireBytes(),
                stats.getRawBytes(), stats.getText().strip(),
                stats.getFallback() ? "FALLBACK " + stats.getFallbackReason() : null);
    }
}
