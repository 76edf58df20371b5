package io.latentlink.projector;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.latentlink.proto.v1.FuseRequest;
import io.latentlink.proto.v1.FuseResponse;
import io.latentlink.proto.v1.ProjectorGrpc;
import io.latentlink.transport.ComputeExecutor;
import io.latentlink.transport.CreditedWriter;
import io.latentlink.transport.Deadlines;
import io.latentlink.transport.InflightTracker;
import io.latentlink.transport.PeerChannels;
import io.quarkus.grpc.GrpcService;
import jakarta.inject.Inject;

/** Projector on the plain grpc-java API, for the same reason as the sender: credits need isReady/onReady. */
@GrpcService
public class ProjectorService extends ProjectorGrpc.ProjectorImplBase {

    private final FuserEngine engine;
    private final FuseSettings settings;
    private final InflightTracker tracker;
    private final ComputeExecutor executor;
    private final PeerChannels peers;

    @Inject
    public ProjectorService(FuserEngine engine, ProjectorConfig config, InflightTracker tracker,
            ComputeExecutor executor, PeerChannels peers) {
        this(engine, FuseSettings.of(config), tracker, executor, peers);
    }

    ProjectorService(FuserEngine engine, FuseSettings settings, InflightTracker tracker, ComputeExecutor executor,
            PeerChannels peers) {
        this.engine = engine;
        this.settings = settings;
        this.tracker = tracker;
        this.executor = executor;
        this.peers = peers;
    }

    @Override
    public StreamObserver<FuseRequest> fuse(StreamObserver<FuseResponse> responses) {
        ServerCallStreamObserver<FuseResponse> out = (ServerCallStreamObserver<FuseResponse>) responses;
        Deadline deadline = Deadlines.effective(0, settings.defaultDeadline());
        Context.CancellableContext context = Deadlines.attach(deadline);
        FuseCall call = new FuseCall(engine, settings, new CreditedWriter<>(out), tracker.begin(), peers, deadline,
                context);
        out.setOnCancelHandler(call::cancel);
        executor.submit(context, call);
        return call;
    }
}
