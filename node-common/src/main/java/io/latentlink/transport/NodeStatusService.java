package io.latentlink.transport;

import io.grpc.stub.StreamObserver;
import io.latentlink.proto.v1.NodeGrpc;
import io.latentlink.proto.v1.StatusReply;
import io.latentlink.proto.v1.StatusRequest;
import io.quarkus.grpc.GrpcService;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Node.Status on every node: the in-flight gauges and call outcomes of {@link InflightTracker} and the process's
 * memory ({@link MemoryGauges}).
 */
@GrpcService
public class NodeStatusService extends NodeGrpc.NodeImplBase {

    @Inject
    InflightTracker tracker;

    @Inject
    MemoryGauges memory;

    @ConfigProperty(name = "quarkus.application.name", defaultValue = "latentlink-node")
    String nodeName;

    @Override
    public void status(StatusRequest request, StreamObserver<StatusReply> out) {
        MemoryGauges.Snapshot m = memory.snapshot();
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
                .setHeapUsedBytes(m.heapUsed())
                .setHeapPeakBytes(m.heapPeak())
                .setOffheapUsedBytes(m.offHeapUsed())
                .setOffheapPeakBytes(m.offHeapPeak())
                .setKvCacheBytes(m.kvCacheBytes())
                .setKvCachePeakBytes(m.kvCachePeak())
                .setRssBytes(m.rss())
                .setRssPeakBytes(m.rssPeak())
                .setRssPeakSinceReset(m.rssPeakSinceReset())
                .build());
        if (request.getResetPeak()) {
            tracker.resetPeak();
            memory.resetPeaks();
        }
        out.onCompleted();
    }
}
