package io.latentlink.receiver;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.latentlink.engine.Cancelled;
import io.latentlink.engine.GenerationOptions;
import io.latentlink.engine.Generated;
import io.latentlink.proto.v1.GenerateRequest;
import io.latentlink.proto.v1.GenerateResponse;
import io.latentlink.proto.v1.GenerateStats;
import io.latentlink.proto.v1.GeneratedToken;
import io.latentlink.proto.v1.GenerationSettings;
import io.latentlink.proto.v1.Mode;
import io.latentlink.proto.v1.RelayReply;
import io.latentlink.proto.v1.RelayRequest;
import io.latentlink.proto.v1.SenderGrpc;
import io.latentlink.proto.v1.StageTimings;
import io.latentlink.transport.InflightTracker;
import io.latentlink.transport.PayloadCodec;
import io.latentlink.transport.PayloadCodecs;
import io.latentlink.transport.PeerChannels;
import io.latentlink.transport.Statuses;
import java.nio.charset.StandardCharsets;

/**
 * One Generate call, on a worker inside the call's context (deadline attached). RECEIVER_ONLY decodes the prompt;
 * TEXT first asks the sender for a relay text; C2C runs the fusion exchange and decodes on the fused cache. When
 * the sharer side fails and the request allows it, the call falls back to RECEIVER_ONLY and says so in its stats.
 */
final class GenerateCall implements Runnable {

    private final ReceiverEngine engine;
    private final GenerateSettings settings;
    private final PeerChannels peers;
    private final GenerateRequest request;
    private final ServerCallStreamObserver<GenerateResponse> out;
    private final InflightTracker.Call call;
    private final Deadline deadline;
    private final Context.CancellableContext context;

    // Validated request.
    private Mode mode;
    private GenerationOptions options;
    private PayloadCodec codec;
    private String projector;
    private String sender;

    GenerateCall(ReceiverEngine engine, GenerateSettings settings, PeerChannels peers, GenerateRequest request,
            ServerCallStreamObserver<GenerateResponse> out, InflightTracker.Call call, Deadline deadline,
            Context.CancellableContext context) {
        this.engine = engine;
        this.settings = settings;
        this.peers = peers;
        this.request = request;
        this.out = out;
        this.call = call;
        this.deadline = deadline;
        this.context = context;
    }

    /** Checks the request on the gRPC thread, so bad input fails fast with INVALID_ARGUMENT. */
    void validate() {
        if (request.getPrompt().isEmpty()) {
            throw new IllegalArgumentException("prompt is empty");
        }
        mode = switch (request.getMode()) {
            case MODE_UNSPECIFIED, RECEIVER_ONLY -> Mode.RECEIVER_ONLY;
            case TEXT -> Mode.TEXT;
            case C2C -> Mode.C2C;
            default -> throw new IllegalArgumentException("unknown mode " + request.getModeValue());
        };
        options = options(request.getSettings());
        String codecId = request.getCodecId().isEmpty() ? settings.defaultCodec() : request.getCodecId();
        codec = PayloadCodecs.lookup(codecId, request.getCodecParamsMap());
        projector = request.getProjectorEndpoint().isEmpty() ? settings.projectorEndpoint()
                : request.getProjectorEndpoint();
        sender = request.getSenderEndpoint().isEmpty() ? settings.senderEndpoint() : request.getSenderEndpoint();
        if (mode != Mode.RECEIVER_ONLY) {
            peers.get(sender); // validates host:port
            peers.get(projector);
        }
    }

    private GenerationOptions options(GenerationSettings s) {
        int max = s.getMaxTokens() == 0 ? settings.defaultMaxTokens() : s.getMaxTokens();
        if (max > settings.maxTokensLimit()) {
            throw new IllegalArgumentException("max_tokens " + max + " exceeds " + settings.maxTokensLimit());
        }
        return new GenerationOptions(max, s.getTemperature(), s.getTopK(), s.getTopP() == 0 ? 1f : s.getTopP(),
                s.getSeed(), !s.getIgnoreNewline());
    }

    @Override
    public void run() {
        GenerateStats.Builder stats = GenerateStats.newBuilder().setMode(mode);
        StageTimings.Builder timings = StageTimings.newBuilder();
        try {
            Generated g = switch (mode) {
                case TEXT -> text(stats, timings);
                case C2C -> c2c(stats, timings);
                default -> receiverOnly(request.getPrompt(), timings);
            };
            if (out.isCancelled()) {
                call.end(InflightTracker.Outcome.CANCELLED);
                return;
            }
            out.onNext(GenerateResponse.newBuilder().setStats(stats
                    .setPromptTokens(g.promptTokens())
                    .setGeneratedTokens(g.generatedTokens())
                    .setStopReason(g.stopReason())
                    .setText(g.text())
                    .setTimings(timings
                            .setTokenizeUs(timings.getTokenizeUs() + g.tokenizeNanos() / 1000)
                            .setPrefillUs(timings.getPrefillUs() + g.prefillNanos() / 1000)
                            .setDecodeUs(g.decodeNanos() / 1000))).build());
            out.onCompleted();
            call.end(InflightTracker.Outcome.COMPLETED);
        } catch (Cancelled e) {
            if (out.isCancelled()) {
                call.end(InflightTracker.Outcome.CANCELLED);
            } else {
                // Our own deadline (from deadline_ms or the node default) ran out; the client is still listening.
                call.end(InflightTracker.Outcome.FAILED);
                out.onError(Status.DEADLINE_EXCEEDED.withDescription("generation did not finish before the deadline")
                        .asRuntimeException());
            }
        } catch (RuntimeException e) {
            if (out.isCancelled()) {
                call.end(InflightTracker.Outcome.CANCELLED);
                return;
            }
            call.end(InflightTracker.Outcome.FAILED);
            out.onError(Statuses.exception(e));
        } finally {
            context.cancel(null);
        }
    }

    private Generated receiverOnly(String prompt, StageTimings.Builder timings) {
        try (ReceiverEngine.Session session = engine.open(prompt)) {
            return session.generate(options, this::emit, this::stopped);
        }
    }

    private Generated text(GenerateStats.Builder stats, StageTimings.Builder timings) {
        RelayReply relay;
        RelayRequest relayRequest = RelayRequest.newBuilder().setPrompt(request.getPrompt()).build();
        long t0 = System.nanoTime();
        try {
            relay = SenderGrpc.newBlockingStub(peers.get(sender))
                    .withDeadline(deadline)
                    // The relay sentence has its own length limit on the sender; the answer's settings are not its.
                    .relay(relayRequest);
        } catch (StatusRuntimeException e) {
            return fallbackOrThrow(e.getStatus().withDescription("sender " + sender + ": " + e.getStatus().getCode()
                    + " " + e.getStatus().getDescription()), stats, timings);
        }
        timings.setTransferUs((System.nanoTime() - t0) / 1000);
        // What TEXT moves between the agents is text: count it as the KV legs are counted, payload and messages.
        stats.setRawBytes(request.getPrompt().getBytes(StandardCharsets.UTF_8).length
                        + relay.getText().getBytes(StandardCharsets.UTF_8).length)
                .setWireBytes(relayRequest.getSerializedSize() + relay.getSerializedSize());
        return receiverOnly(engine.withContext(relay.getText(), request.getPrompt()), timings);
    }

    private Generated c2c(GenerateStats.Builder stats, StageTimings.Builder timings) {
        ReceiverEngine.Session session = engine.open(request.getPrompt());
        try {
            if (session.promptTokens() < 2) {
                throw new IllegalArgumentException("C2C needs a prompt of at least two tokens");
            }
            C2cExchange.Result r;
            try {
                r = new C2cExchange(peers, settings, engine.geometry(), call, deadline)
                        .run(session, request.getPrompt(), projector, sender, codec, request.getCodecParamsMap());
            } catch (StatusRuntimeException e) {
                session.close();
                session = null;
                return fallbackOrThrow(e.getStatus(), stats, timings);
            }
            var fused = r.summary();
            long sharerRaw = fused.getSharer().getRawBytes();
            long sharerWire = fused.getSharer().getWireBytes();
            stats.setLayersFused(fused.getLayersFused())
                    .setRawBytes(r.rawBytes() + sharerRaw)
                    .setWireBytes(r.wireBytes() + sharerWire);
            long busy = r.prefillNanos() + r.encodeNanos();
            timings.setPrefillUs(r.prefillNanos() / 1000)
                    .setEncodeUs((r.encodeNanos() + fused.getFused().getTimings().getEncodeUs() * 1000
                            + fused.getSharer().getTimings().getEncodeUs() * 1000) / 1000)
                    .setFuseUs(fused.getFused().getTimings().getFuseUs())
                    .setTransferUs(Math.max(0, r.wallNanos() - busy) / 1000);
            return session.generate(options, this::emit, this::stopped);
        } finally {
            if (session != null) {
                session.close();
            }
        }
    }

    private Generated fallbackOrThrow(Status failure, GenerateStats.Builder stats, StageTimings.Builder timings) {
        if (out.isCancelled()) {
            throw new Cancelled("client cancelled");
        }
        if (!request.getFallbackToReceiverOnly() || failure.getCode() == Status.Code.INVALID_ARGUMENT
                || deadline.isExpired()) {
            throw failure.asRuntimeException();
        }
        stats.setFallback(true).setFallbackReason(failure.getCode() + ": " + failure.getDescription());
        timings.clear();
        return receiverOnly(request.getPrompt(), timings);
    }

    /** The client went away or the deadline passed (the context carries both). */
    private boolean stopped() {
        return out.isCancelled() || context.isCancelled();
    }

    private void emit(int index, int id, String text) {
        if (!out.isCancelled()) {
            out.onNext(GenerateResponse.newBuilder()
                    .setToken(GeneratedToken.newBuilder().setIndex(index).setId(id).setText(text)).build());
        }
    }
}
