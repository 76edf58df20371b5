package io.latentlink.receiver;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.latentlink.proto.v1.GenerateRequest;
import io.latentlink.proto.v1.GenerateResponse;
import io.latentlink.proto.v1.ReceiverGrpc;
import io.latentlink.transport.ComputeExecutor;
import io.latentlink.transport.Deadlines;
import io.latentlink.transport.InflightTracker;
import io.latentlink.transport.PeerChannels;
import io.latentlink.transport.Statuses;
import io.quarkus.grpc.GrpcService;
import jakarta.inject.Inject;

/**
 * Receiver on the plain grpc-java API: the call's Context carries the deadline and cancellation into the Fuse and
 * Relay calls made on its behalf, and the cancel handler stops decoding.
 */
@GrpcService
public class ReceiverService extends ReceiverGrpc.ReceiverImplBase {

    private final ReceiverEngine engine;
    private final GenerateSettings settings;
    private final InflightTracker tracker;
    private final ComputeExecutor executor;
    private final PeerChannels peers;

    @Inject
    public ReceiverService(ReceiverEngine engine, ReceiverConfig config, InflightTracker tracker,
            ComputeExecutor executor, PeerChannels peers) {
        this(engine, GenerateSettings.of(config), tracker, executor, peers);
    }

    ReceiverService(ReceiverEngine engine, GenerateSettings settings, InflightTracker tracker,
            ComputeExecutor executor, PeerChannels peers) {
        this.engine = engine;
        this.settings = settings;
        this.tracker = tracker;
        this.executor = executor;
        this.peers = peers;
    }

    @Override
    public void generate(GenerateRequest request, StreamObserver<GenerateResponse> responses) {
        ServerCallStreamObserver<GenerateResponse> out = (ServerCallStreamObserver<GenerateResponse>) responses;
        InflightTracker.Call call = tracker.begin();
        out.setOnCancelHandler(() -> call.end(InflightTracker.Outcome.CANCELLED));
        Deadline deadline = Deadlines.effective(request.getDeadlineMs(), settings.defaultDeadline());
        Context.CancellableContext context = Deadlines.attach(deadline);
        GenerateCall generate = new GenerateCall(engine, settings, peers, request, out, call, deadline, context);
        try {
            generate.validate();
        } catch (RuntimeException e) {
            context.cancel(null);
            call.end(InflightTracker.Outcome.FAILED);
            out.onError(Statuses.exception(e));
            return;
        }
        executor.submit(context, generate);
    }
}
