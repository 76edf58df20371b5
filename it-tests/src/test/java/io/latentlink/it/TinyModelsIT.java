package io.latentlink.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentlink.demo.NodeLauncher;
import io.latentlink.proto.v1.GenerateStats;
import io.latentlink.proto.v1.Mode;
import io.latentlink.proto.v1.NodeGrpc;
import io.latentlink.proto.v1.StatusReply;
import io.latentlink.proto.v1.StatusRequest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Parity on the tiny model set in src/test/resources/tiny-link (core's tiny decoders, character tokenizers of
 * different granularity, a hand-built fuser): always available, so the ONNX engines and the real C2C path run in
 * every build. TEXT is left to {@link DemoModelsIT}: the tiny models' 64-token context cannot hold a relay.
 */
class TinyModelsIT extends LinkParityBase {

    @Override
    Path models() throws Exception {
        return Path.of(TinyModelsIT.class.getResource("/tiny-link").toURI());
    }

    @Override
    List<Mode> modes() {
        return List.of(Mode.RECEIVER_ONLY, Mode.C2C);
    }

    @Test
    void fusionChangesWhatTheReceiverSays() {
        long differ = questions().stream()
                .filter(q -> !networked(q.prompt(), Mode.C2C, "fp32").getText()
                        .equals(networked(q.prompt(), Mode.RECEIVER_ONLY, "fp32").getText()))
                .count();
        assertTrue(differ > 0, "C2C answered exactly like RECEIVER_ONLY on every question: fused KV unused?");
    }

    @Test
    void lossyCodecsRunTheSamePathAndReportTheirSavings() throws Exception {
        String prompt = questions().get(0).prompt();
        GenerateStats fp32 = networked(prompt, Mode.C2C, "fp32");
        for (String codec : List.of("fp16", "int8")) {
            GenerateStats s = networked(prompt, Mode.C2C, codec);
            assertFalse(s.getFallback(), s.getFallbackReason());
            assertEquals(fp32.getRawBytes(), s.getRawBytes(), codec + " moves the same KV");
            assertEquals(true, s.getWireBytes() < fp32.getWireBytes(), codec + " is smaller on the wire");
        }
        for (NodeLauncher n : List.of(sender, projector, receiver)) {
            StatusReply st = n.awaitIdle();
            assertEquals(0, st.getCallsFailed(), n.name + " " + st);
        }
    }

    @Test
    void everyNodeReportsPlausibleMemoryGaugesAndResetsTheirPeaks() throws Exception {
        long maxHeap = 256L << 20; // ItNodes starts the nodes with -Xmx256m
        for (NodeLauncher n : List.of(sender, projector, receiver)) {
            status(n, true);
        }
        networked(questions().get(0).prompt(), Mode.C2C, "fp16");
        for (NodeLauncher n : List.of(sender, projector, receiver)) {
            StatusReply st = n.awaitIdle();
            assertTrue(st.getHeapUsedBytes() > 0 && st.getHeapUsedBytes() <= st.getHeapPeakBytes(), n.name + " " + st);
            assertTrue(st.getHeapPeakBytes() <= 2 * maxHeap, n.name + " heap peak over twice -Xmx: " + st);
            assertTrue(st.getOffheapPeakBytes() >= st.getOffheapUsedBytes(), n.name + " " + st);
            assertTrue(st.getKvCacheBytes() <= st.getOffheapUsedBytes(), n.name + " KV caches are direct buffers: " + st);
            assertTrue(st.getKvCachePeakBytes() <= st.getOffheapPeakBytes(), n.name + " " + st);
            assertTrue(st.getRssBytes() == 0 || st.getRssPeakBytes() >= st.getRssBytes(), n.name + " " + st);
        }
        // The models' caches: the sender prefilled the sharer's, the receiver its own, during the call just made.
        for (NodeLauncher n : List.of(sender, receiver)) {
            StatusReply st = status(n, true);
            assertTrue(st.getKvCachePeakBytes() > st.getKvCacheBytes(), n.name + " held a KV cache during the call: " + st);
            StatusReply after = status(n, false);
            assertEquals(after.getKvCacheBytes(), after.getKvCachePeakBytes(), n.name + " reset peak: " + after);
        }
    }

    private static StatusReply status(NodeLauncher n, boolean resetPeak) {
        return NodeGrpc.newBlockingStub(n.channel).withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS)
                .status(StatusRequest.newBuilder().setResetPeak(resetPeak).build());
    }
}
