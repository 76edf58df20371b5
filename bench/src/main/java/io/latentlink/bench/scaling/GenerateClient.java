package io.latentlink.bench.scaling;

import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.latentlink.proto.v1.GenerateRequest;
import io.latentlink.proto.v1.GenerateResponse;
import io.latentlink.proto.v1.GenerateStats;
import io.latentlink.proto.v1.GenerationSettings;
import io.latentlink.proto.v1.Mode;
import io.latentlink.proto.v1.ReceiverGrpc;

import java.util.Iterator;
import java.util.concurrent.TimeUnit;

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
        long start = System.nanoTime();
        double firstToken = Double.NaN;
        try {
            Iterator<GenerateResponse> it = stub.withDeadlineAfter(120, TimeUnit.SECONDS).generate(request);
            GenerateStats stats = null;
            while (it.hasNext()) {
                GenerateResponse r = it.next();
                if (r.hasToken() && Double.isNaN(firstToken)) {
                    firstToken = (System.nanoTime() - start) / 1e6;
                } else if (r.hasStats()) {
                    stats = r.getStats();
                }
            }
            double millis = (System.nanoTime() - start) / 1e6;
            if (stats == null) {
                return new Result(millis, firstToken, 0, 0, 0, "", "NO_STATS");
            }
            return new Result(millis, firstToken, stats.getPromptTokens(), stats.getWireBytes(), stats.getRawBytes(),
                    stats.getText().strip(), stats.getFallback() ? "FALLBACK " + stats.getFallbackReason() : null);
        } catch (StatusRuntimeException e) {
            return new Result((System.nanoTime() - start) / 1e6, Double.NaN, 0, 0, 0, "",
                    e.getStatus().getCode().name() + ": " + e.getStatus().getDescription());
        }
    }
}
