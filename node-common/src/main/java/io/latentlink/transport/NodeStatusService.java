package io.latentlink.transport;

import io.grpc.stub.StreamObserver;
import io.latentlink.proto.v1.NodeGrpc;
import io.latentlink.proto.v1.StatusReply;
import io.latentlink.proto.v1.StatusRequest;
import io.quarkus.grpc.GrpcService;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Node.Status on every node: the in-flight gauges and call outcomes of {@link InflightTracker}. */
@GrpcService
public class NodeStatusService extends NodeGrpc.NodeImplBase {

    @Inject
    InflightTracker tracker;

    @ConfigProperty(name = "quarkus.application.name", defaultValue = "latentlink-node")
    String nodeName;

    @Override
    public void status(StatusRequest request, StreamObserver<StatusReply> out) {
        out.onNext(StatusReply.newBuilder()
                .setNode(nodeName)
                .setModelId(tracker.modelId())
                .setInflightCalls(tracker.inflightCalls())
                .setInflightBytes(tracker.inflightBytes())
                .setPeakInflightBytes(tracker.peakInflightBytes())
                .setCallsStarted(tracker.started())
                .setCallsCompleted(tracker.completed())
                .setCallsCancelled(tracker.cancelled())
                .setCallsFailed(tracker.failed())
                .build());
        if (request.getResetPeak()) {
            tracker.resetPeak();
        }
        out.onCompleted();
    }
}
