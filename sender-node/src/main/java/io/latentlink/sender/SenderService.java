package io.latentlink.sender;

import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.latentlink.engine.Cancelled;
import io.latentlink.engine.GenerationOptions;
import io.latentlink.engine.Generated;
import io.latentlink.proto.v1.GenerationSettings;
import io.latentlink.proto.v1.RelayReply;
import io.latentlink.proto.v1.RelayRequest;
import io.latentlink.proto.v1.SenderGrpc;
import io.latentlink.proto.v1.ShareRequest;
import io.latentlink.proto.v1.ShareResponse;
import io.latentlink.proto.v1.StageTimings;
import io.latentlink.transport.ComputeExecutor;
import io.latentlink.transport.CreditedWriter;
import io.latentlink.transport.InflightTracker;
import io.latentlink.transport.Statuses;
import io.quarkus.grpc.GrpcService;
import jakarta.inject.Inject;

/**
 * Sender over the plain grpc-java API rather than Mutiny: credit flow control needs the call's isReady/onReady and
 * cancel handlers, which the StreamObserver API exposes directly, while a Mutiny Multi would hide them behind its
 * own request(n) accounting.
 */
@GrpcService
public class SenderService extends SenderGrpc.SenderImplBase {

    /** Relay output is one short sentence (core's limit); a request may ask for less, never more. */
    static final int MAX_RELAY_TOKENS = io.latentlink.core.link.InProcessLink.RELAY_MAX_TOKENS;

    private final SharerEngine engine;
    private final ShareSettings settings;
    private final InflightTracker tracker;
    private final ComputeExecutor executor;

    @Inject
    public SenderService(SharerEngine engine, SenderConfig config, InflightTracker tracker, ComputeExecutor executor) {
        this(engine, ShareSettings.of(config), tracker, executor);
    }

    SenderService(SharerEngine engine, ShareSettings settings, InflightTracker tracker, ComputeExecutor executor) {
        this.engine = engine;
        this.settings = settings;
        this.tracker = tracker;
        this.executor = executor;
    }

    @Override
    public StreamObserver<ShareRequest> share(StreamObserver<ShareResponse> responses) {
        ServerCallStreamObserver<ShareResponse> out = (ServerCallStreamObserver<ShareResponse>) responses;
        ShareCall call = new ShareCall(engine, settings, new CreditedWriter<>(out), tracker.begin(), executor);
        out.setOnCancelHandler(call::cancel);
        return call;
    }

    @Override
    public void relay(RelayRequest request, StreamObserver<RelayReply> responses) {
        ServerCallStreamObserver<RelayReply> out = (ServerCallStreamObserver<RelayReply>) responses;
        InflightTracker.Call call = tracker.begin();
        out.setOnCancelHandler(() -> call.end(InflightTracker.Outcome.CANCELLED));
        GenerationOptions options;
        try {
            if (request.getPrompt().isEmpty()) {
                throw new IllegalArgumentException("prompt is empty");
            }
            options = options(request.getSettings());
        } catch (RuntimeException e) {
            call.end(InflightTracker.Outcome.FAILED);
            out.onError(Statuses.exception(e));
            return;
        }
        Context context = Context.current();
        executor.submit(() -> {
            try {
                Generated g = engine.relay(request.getPrompt(), options, context::isCancelled);
                out.onNext(RelayReply.newBuilder()
                        .setText(g.text())
                        .setPromptTokens(g.promptTokens())
                        .setGeneratedTokens(g.generatedTokens())
                        .setTimings(StageTimings.newBuilder()
                                .setTokenizeUs(g.tokenizeNanos() / 1000)
                                .setPrefillUs(g.prefillNanos() / 1000)
                                .setDecodeUs(g.decodeNanos() / 1000))
                        .build());
                out.onCompleted();
                call.end(InflightTracker.Outcome.COMPLETED);
            } catch (Cancelled e) {
                call.end(InflightTracker.Outcome.CANCELLED);
            } catch (RuntimeException e) {
                call.end(InflightTracker.Outcome.FAILED);
                if (!out.isCancelled()) {
                    out.onError(Statuses.exception(e));
                }
            }
        });
    }

    static GenerationOptions options(GenerationSettings s) {
        int max = s.getMaxTokens() == 0 ? MAX_RELAY_TOKENS : s.getMaxTokens();
        if (max > MAX_RELAY_TOKENS) {
            throw new IllegalArgumentException("relay max_tokens " + max + " exceeds " + MAX_RELAY_TOKENS);
        }
        return new GenerationOptions(max, s.getTemperature(), s.getTopK(), s.getTopP() == 0 ? 1f : s.getTopP(),
                s.getSeed(), !s.getIgnoreNewline());
    }

}
