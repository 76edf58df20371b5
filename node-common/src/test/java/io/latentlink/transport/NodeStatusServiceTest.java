package io.latentlink.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.stub.StreamObserver;
import io.latentlink.proto.v1.StatusReply;
import io.latentlink.proto.v1.StatusRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeStatusServiceTest {

    private final MemoryGaugesTest.FakeSources memory = new MemoryGaugesTest.FakeSources();
    private final NodeStatusService service = new NodeStatusService();

    NodeStatusServiceTest() {
        service.tracker = new InflightTracker();
        service.memory = new MemoryGauges(memory, false);
        service.nodeName = "test-node";
    }

    private StatusReply status(boolean resetPeak) {
        List<StatusReply> replies = new ArrayList<>();
        boolean[] completed = {false};
        service.status(StatusRequest.newBuilder().setResetPeak(resetPeak).build(), new StreamObserver<>() {
            @Override
            public void onNext(StatusReply r) {
                replies.add(r);
            }

            @Override
            public void onError(Throwable t) {
                throw new AssertionError(t);
            }

            @Override
            public void onCompleted() {
                completed[0] = true;
            }
        });
        assertTrue(completed[0]);
        assertEquals(1, replies.size());
        return replies.get(0);
    }

    @Test
    void memoryGaugesAreReportedAndResetAfterTheReplyThatAskedForIt() {
        InflightTracker.Call call = service.tracker.begin();
        call.hold(4_000);
        call.release(4_000);
        memory.offHeap = 50_000;
        service.memory.sample();
        memory.offHeap = 20_000;

        StatusReply first = status(true);
        assertEquals("test-node", first.getNode());
        assertEquals(4_000, first.getPeakInflightBytes());
        assertEquals(20_000, first.getOffheapUsedBytes());
        assertEquals(50_000, first.getOffheapPeakBytes(), "the reply that resets still shows the old peak");
        assertEquals(100, first.getHeapUsedBytes());
        assertEquals(150, first.getHeapPeakBytes());
        assertEquals(400, first.getKvCacheBytes());
        assertEquals(400, first.getKvCachePeakBytes());
        assertEquals(10_000, first.getRssBytes());
        assertEquals(12_000, first.getRssPeakBytes());

        StatusReply second = status(false);
        assertEquals(0, second.getPeakInflightBytes());
        assertEquals(20_000, second.getOffheapPeakBytes());
        assertEquals(100, second.getHeapPeakBytes());
        assertEquals(10_000, second.getRssPeakBytes());
        assertTrue(second.getRssPeakSinceReset());
        call.end(InflightTracker.Outcome.COMPLETED);
    }
}
