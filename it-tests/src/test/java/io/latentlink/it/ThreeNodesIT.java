package io.latentlink.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.latentlink.core.wire.ConsumerCredits;
import io.latentlink.core.wire.KvGeometry;
import io.latentlink.core.wire.KvSliceShape;
import io.latentlink.core.wire.SequenceTracker;
import io.latentlink.demo.NodeLauncher;
import io.latentlink.proto.v1.Credit;
import io.latentlink.proto.v1.FuseResponse;
import io.latentlink.proto.v1.FuseStart;
import io.latentlink.proto.v1.GenerateRequest;
import io.latentlink.proto.v1.GenerateResponse;
import io.latentlink.proto.v1.GenerateStats;
import io.latentlink.proto.v1.GenerationSettings;
import io.latentlink.proto.v1.KvChunk;
import io.latentlink.proto.v1.Mode;
import io.latentlink.proto.v1.ReceiverGrpc;
import io.latentlink.proto.v1.SenderGrpc;
import io.latentlink.proto.v1.ShareRequest;
import io.latentlink.proto.v1.ShareResponse;
import io.latentlink.proto.v1.ShareStart;
import io.latentlink.proto.v1.StatusReply;
import io.latentlink.transport.KvChunks;
import io.latentlink.transport.PayloadCodecs;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The three nodes as separate JVMs on loopback (synthetic engines: real transport, stand-in compute), driven over
 * real gRPC. Two senders: a fast one, and a slow one (simulated prefill cost) that gives cancellation and deadline
 * tests a stream to interrupt. Every wait polls a node's own Node.Status gauges or a call's outcome; none sleeps.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ThreeNodesIT {

    private static final KvGeometry RX = new KvGeometry("rx", "", 4, 2, 32);
    private static final String PROMPT = "Context: Mira Tolsen lives in Varn. Question: Where does Mira Tolsen live? Answer:";

    private NodeLauncher sender;
    private NodeLauncher slowSender;
    private NodeLauncher projector;
    /** A projector as deployed by default: pass-through off. */
    private NodeLauncher plainProjector;
    private NodeLauncher receiver;

    @BeforeAll
    void startNodes() throws Exception {
        sender = ItNodes.start("sender", "sender-fast", Map.of("latentlink.engine", "synthetic"));
        slowSender = ItNodes.start("sender", "sender-slow",
                Map.of("latentlink.engine", "synthetic", "latentlink.synthetic.step-cost", "40ms"));
        projector = ItNodes.start("projector", "projector",
                Map.of("latentlink.engine", "synthetic", "latentlink.credit-window", "4",
                        "latentlink.passthrough", "true"));
        plainProjector = ItNodes.start("projector", "projector-plain", Map.of("latentlink.engine", "synthetic"));
        receiver = ItNodes.start("receiver", "receiver", Map.of("latentlink.engine", "synthetic",
                "latentlink.projector-endpoint", projector.endpoint(),
                "latentlink.sender-endpoint", sender.endpoint(),
                "latentlink.credit-window", "4"));
        for (NodeLauncher n : nodes()) {
            n.awaitServing(90);
        }
    }

    @AfterAll
    void stopNodes() throws Exception {
        for (NodeLauncher n : nodes()) {
            if (n != null) {
                n.close();
            }
        }
    }

    private List<NodeLauncher> nodes() {
        return java.util.Arrays.asList(sender, slowSender, projector, plainProjector, receiver);
    }

    // ---- health and reflection --------------------------------------------------------------------------------

    @Test
    void everyNodeAnswersHealthChecksAndReflection() throws Exception {
        Map<NodeLauncher, String> service = Map.of(sender, "latentlink.v1.Sender", projector,
                "latentlink.v1.Projector", receiver, "latentlink.v1.Receiver");
        for (var e : service.entrySet()) {
            NodeLauncher n = e.getKey();
            assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(n.channel)
                    .check(HealthCheckRequest.newBuilder().setService("").build()).getStatus(), n.name);
            Set<String> listed = reflectServices(n);
            assertTrue(listed.contains(e.getValue()), n.name + " reflection lists " + listed);
            assertTrue(listed.contains("latentlink.v1.Node"), n.name + " reflection lists " + listed);
            assertTrue(listed.contains("grpc.health.v1.Health"), n.name + " reflection lists " + listed);
            Set<String> alpha = reflectServicesV1Alpha(n);
            assertTrue(alpha.contains(e.getValue()), n.name + " v1alpha reflection lists " + alpha);
        }
    }

    /** The older reflection protocol, which some ghz and grpcurl versions still use. */
    @SuppressWarnings("deprecation")
    private Set<String> reflectServicesV1Alpha(NodeLauncher n) throws Exception {
        CompletableFuture<Set<String>> names = new CompletableFuture<>();
        var req = io.grpc.reflection.v1alpha.ServerReflectionGrpc.newStub(n.channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .serverReflectionInfo(new StreamObserver<io.grpc.reflection.v1alpha.ServerReflectionResponse>() {
                    @Override
                    public void onNext(io.grpc.reflection.v1alpha.ServerReflectionResponse r) {
                        names.complete(r.getListServicesResponse().getServiceList().stream()
                                .map(io.grpc.reflection.v1alpha.ServiceResponse::getName).collect(Collectors.toSet()));
                    }

                    @Override
                    public void onError(Throwable t) {
                        names.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        req.onNext(io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder().setListServices("").build());
        Set<String> out = names.get(10, TimeUnit.SECONDS);
        req.onCompleted();
        return out;
    }

    private Set<String> reflectServices(NodeLauncher n) throws Exception {
        CompletableFuture<Set<String>> names = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> req = ServerReflectionGrpc.newStub(n.channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse r) {
                        names.complete(r.getListServicesResponse().getServiceList().stream()
                                .map(ServiceResponse::getName).collect(Collectors.toSet()));
                    }

                    @Override
                    public void onError(Throwable t) {
                        names.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        req.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        Set<String> out = names.get(10, TimeUnit.SECONDS);
        req.onCompleted();
        return out;
    }

    // ---- the three modes --------------------------------------------------------------------------------------

    private record Answer(List<GenerateResponse> tokens, GenerateStats stats) {
        String text() {
            return tokens.stream().map(t -> t.getToken().getText()).collect(Collectors.joining());
        }
    }

    private Answer generate(GenerateRequest request) {
        List<GenerateResponse> tokens = new ArrayList<>();
        GenerateStats stats = null;
        Iterator<GenerateResponse> it = ReceiverGrpc.newBlockingStub(receiver.channel)
                .withDeadlineAfter(60, TimeUnit.SECONDS).generate(request);
        while (it.hasNext()) {
            GenerateResponse r = it.next();
            if (r.hasToken()) {
                tokens.add(r);
            } else {
                assertEquals(null, stats, "stats must come once, last");
                stats = r.getStats();
            }
        }
        assertTrue(stats != null, "no stats");
        return new Answer(tokens, stats);
    }

    private static GenerateRequest.Builder request(Mode mode) {
        return GenerateRequest.newBuilder().setPrompt(PROMPT).setMode(mode)
                .setSettings(GenerationSettings.newBuilder().setMaxTokens(8));
    }

    @Test
    void receiverOnlyStreamsTokensThenStats() {
        Answer a = generate(request(Mode.RECEIVER_ONLY).build());
        assertEquals(8, a.tokens().size());
        for (int i = 0; i < 8; i++) {
            assertEquals(i, a.tokens().get(i).getToken().getIndex());
        }
        assertEquals(8, a.stats().getGeneratedTokens());
        assertEquals(PROMPT.length(), a.stats().getPromptTokens());
        assertEquals(a.text(), a.stats().getText());
        assertEquals(Mode.RECEIVER_ONLY, a.stats().getMode());
        assertEquals(0, a.stats().getLayersFused());
        assertFalse(a.stats().getFallback());
    }

    @Test
    void c2cFusesTheOpenGateLayersAcrossAllThreeNodes() throws Exception {
        Answer plain = generate(request(Mode.RECEIVER_ONLY).build());
        for (String codec : new String[] {"fp32", "fp16"}) {
            Answer fused = generate(request(Mode.C2C).setCodecId(codec).build());
            assertEquals(Mode.C2C, fused.stats().getMode());
            assertFalse(fused.stats().getFallback(), fused.stats().getFallbackReason());
            assertEquals(3, fused.stats().getLayersFused(), "gates 1,0,1,1");
            assertEquals(8, fused.tokens().size());
            assertNotEquals(plain.text(), fused.text(), "fused KV must reach the decoder");
            assertTrue(fused.stats().getRawBytes() > 0 && fused.stats().getWireBytes() > 0);
            long ratio = fused.stats().getRawBytes() / fused.stats().getWireBytes();
            assertEquals(codec.equals("fp32") ? 1 : 2, ratio, "raw/wire for " + codec);
            assertTrue(fused.stats().getTimings().getDecodeUs() > 0);
        }
        for (NodeLauncher n : List.of(sender, projector, receiver)) {
            n.awaitIdle();
        }
    }

    @Test
    void concurrentCallsDoNotMixTheirStreams() throws Exception {
        List<String> prompts = java.util.stream.IntStream.range(0, 6)
                .mapToObj(i -> "Question " + i + ": where does person " + i + " live? Answer:").toList();
        Map<String, String> alone = new java.util.HashMap<>();
        for (String p : prompts) {
            alone.put(p, generate(request(Mode.C2C).setPrompt(p).build()).text());
        }
        var pool = java.util.concurrent.Executors.newFixedThreadPool(prompts.size());
        try {
            List<java.util.concurrent.Future<String>> together = new ArrayList<>();
            for (String p : prompts) {
                together.add(pool.submit(() -> generate(request(Mode.C2C).setPrompt(p).build()).text()));
            }
            for (int i = 0; i < prompts.size(); i++) {
                assertEquals(alone.get(prompts.get(i)), together.get(i).get(60, TimeUnit.SECONDS), prompts.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
        for (NodeLauncher n : List.of(sender, projector, receiver)) {
            n.awaitIdle();
        }
    }

    @Test
    void textModeReadsTheSendersRelay() {
        Answer a = generate(request(Mode.TEXT).build());
        assertEquals(Mode.TEXT, a.stats().getMode());
        assertFalse(a.stats().getFallback());
        assertTrue(a.stats().getPromptTokens() > PROMPT.length(), "relay text is read as context");
    }

    // ---- bad input ----------------------------------------------------------------------------------------------

    private static Status.Code generateFailure(NodeLauncher receiver, GenerateRequest r) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ReceiverGrpc
                .newBlockingStub(receiver.channel).withDeadlineAfter(30, TimeUnit.SECONDS).generate(r).hasNext());
        return e.getStatus().getCode();
    }

    @Test
    void badRequestsGetClearStatusesAndTheNodesKeepServing() throws Exception {
        assertEquals(Status.Code.INVALID_ARGUMENT, generateFailure(receiver, request(Mode.C2C).setCodecId("zip").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, generateFailure(receiver, request(Mode.RECEIVER_ONLY).setPrompt("").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, generateFailure(receiver, request(Mode.RECEIVER_ONLY)
                .setSettings(GenerationSettings.newBuilder().setMaxTokens(100_000)).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, generateFailure(receiver, request(Mode.C2C)
                .setSenderEndpoint("not an endpoint").build()));

        StatusRuntimeException share = assertThrows(StatusRuntimeException.class, () -> {
            CompletableFuture<Status> end = new CompletableFuture<>();
            var req = SenderGrpc.newStub(sender.channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .share(new StreamObserver<ShareResponse>() {
                        public void onNext(ShareResponse r) {
                        }

                        public void onError(Throwable t) {
                            end.complete(Status.fromThrowable(t));
                        }

                        public void onCompleted() {
                            end.complete(Status.OK);
                        }
                    });
            req.onNext(ShareRequest.newBuilder().setStart(ShareStart.newBuilder().setPrompt("x")
                    .setExpectedModelId("llama-70b").setInitialCredits(1)).build());
            throw end.get(30, TimeUnit.SECONDS).asRuntimeException();
        });
        assertEquals(Status.Code.NOT_FOUND, share.getStatus().getCode());
        assertTrue(share.getStatus().getDescription().contains("llama-70b"), share.getStatus().getDescription());

        assertEquals(8, generate(request(Mode.C2C).build()).tokens().size());
    }

    private static final String FUSE_PROMPT = "hello world";

    private FuseProbe openFuse(String fuser) throws Exception {
        return FuseProbe.open(projector.channel, FuseStart.newBuilder()
                .setSharerEndpoint(sender.endpoint())
                .setFuserId(fuser)
                .setPrompt(FUSE_PROMPT)
                .setCodecId("fp32")
                .setReceiverModelId("rx")
                .setReceiverTokens(FUSE_PROMPT.length() - 1)
                .setInitialCredits(4)
                .build());
    }

    private static KvChunk goodChunk(long seq) {
        KvSliceShape s = new KvSliceShape(0, 1, 0, 4, RX.kvHeads(), RX.headSize());
        return KvChunks.encode(RX, s, new float[s.elements()], PayloadCodecs.lookup("fp32", Map.of()), seq);
    }

    private Status fuseWith(KvChunk chunk) throws Exception {
        FuseProbe p = openFuse("fuser-rx-sx");
        p.next(FuseResponse.KindCase.PLAN);
        p.next(FuseResponse.KindCase.CREDIT);
        p.send(chunk);
        return p.awaitEnd();
    }

    @Test
    void malformedChunksAreRefusedWithTheRightStatus() throws Exception {
        KvChunk good = goodChunk(0);
        var h = good.getHeader();
        Map<String, KvChunk> invalid = Map.of(
                "wrong shape", good.toBuilder().setHeader(h.toBuilder().setShape(2, 3)).build(),
                "unknown codec", good.toBuilder().setHeader(h.toBuilder().setCodecId("zstd-19")).build(),
                "out of order", goodChunk(5),
                "closed gate layer", KvChunks.encode(RX, new KvSliceShape(1, 2, 0, 4, 2, 32),
                        new float[2 * 2 * 4 * 32], PayloadCodecs.lookup("fp32", Map.of()), 0),
                "over the chunk size limit", good.toBuilder().setPayload(ByteString.copyFrom(new byte[1_500_000]))
                        .build());
        for (var e : invalid.entrySet()) {
            Status s = fuseWith(e.getValue());
            assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), e.getKey() + ": " + s);
        }
        byte[] flipped = good.getPayload().toByteArray();
        flipped[3] ^= 1;
        Status crc = fuseWith(good.toBuilder().setPayload(ByteString.copyFrom(flipped)).build());
        assertEquals(Status.Code.DATA_LOSS, crc.getCode(), crc.toString());
        Status model = fuseWith(good.toBuilder().setHeader(h.toBuilder().setModelId("mystery")).build());
        assertEquals(Status.Code.NOT_FOUND, model.getCode(), model.toString());

        FuseProbe unknownFuser = openFuse("fuser-rx-nobody");
        assertEquals(Status.Code.NOT_FOUND, unknownFuser.awaitEnd().getCode());

        // gRPC's own 4 MiB limit, never raised, refuses bigger messages before our code sees them. The server ends
        // the stream with RESOURCE_EXHAUSTED; the client may see that status or the stream reset that follows it.
        Status huge = fuseWith(good.toBuilder().setPayload(ByteString.copyFrom(new byte[5 << 20])).build());
        assertTrue(huge.getCode() == Status.Code.RESOURCE_EXHAUSTED || huge.getCode() == Status.Code.CANCELLED,
                huge.toString());

        // Each failed Fuse also cancelled its sharer leg; both nodes drain and keep serving.
        projector.awaitIdle();
        sender.awaitIdle();
        assertEquals(8, generate(request(Mode.C2C).build()).tokens().size());
    }

    @Test
    void aReceiverThatIgnoresItsCreditsIsRefused() throws Exception {
        FuseProbe p = FuseProbe.open(projector.channel, FuseStart.newBuilder()
                .setSharerEndpoint(sender.endpoint()).setFuserId("fuser-rx-sx").setPrompt(FUSE_PROMPT)
                .setCodecId("fp32").setReceiverModelId("rx").setReceiverTokens(FUSE_PROMPT.length() - 1)
                .setInitialCredits(0) // no fused chunk can go out, so no receiver credit comes back
                .build());
        p.next(FuseResponse.KindCase.PLAN);
        int granted = p.next(FuseResponse.KindCase.CREDIT).getCredit().getChunks();
        for (int i = 0; i <= granted; i++) {
            KvSliceShape s = new KvSliceShape(0, 1, i, i + 1, RX.kvHeads(), RX.headSize());
            p.send(KvChunks.encode(RX, s, new float[s.elements()], PayloadCodecs.lookup("fp32", Map.of()), i));
        }
        Status s = p.awaitEnd();
        assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
        assertTrue(s.getDescription().contains("PROTOCOL"), s.toString());
        projector.awaitIdle();
        sender.awaitIdle();
    }

    // ---- cancellation, deadlines, failures ----------------------------------------------------------------------

    private static final String LONG_PROMPT = "Mira Tolsen lives in Varn and keeps bees. ".repeat(120);

    private static long cancelled(NodeLauncher n) {
        return n.status().getCallsCancelled();
    }

    @Test
    void clientCancelStopsWorkOnEveryNodeAndFreesItsBuffers() throws Exception {
        long[] before = {cancelled(slowSender), cancelled(projector), cancelled(receiver)};
        Context.CancellableContext ctx = Context.current().withCancellation();
        CompletableFuture<Status> end = new CompletableFuture<>();
        ctx.run(() -> ReceiverGrpc.newStub(receiver.channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                .generate(request(Mode.C2C).setPrompt(LONG_PROMPT).setSenderEndpoint(slowSender.endpoint()).build(),
                        observer(end)));
        // Wait until all three nodes are working on it, then cancel.
        for (NodeLauncher n : List.of(slowSender, projector, receiver)) {
            n.awaitStatus(s -> s.getInflightCalls() > 0, "call in flight", 30);
        }
        ctx.cancel(null);
        assertEquals(Status.Code.CANCELLED, end.get(30, TimeUnit.SECONDS).getCode());
        NodeLauncher[] chain = {slowSender, projector, receiver};
        for (int i = 0; i < chain.length; i++) {
            StatusReply s = chain[i].awaitIdle();
            assertEquals(before[i] + 1, s.getCallsCancelled(), chain[i].name + " saw the cancel: " + s);
        }
    }

    @Test
    void aDeadlineEndsTheCallOnTimeAndReachesEveryNode() throws Exception {
        long start = System.nanoTime();
        CompletableFuture<Status> end = new CompletableFuture<>();
        ReceiverGrpc.newStub(receiver.channel).withDeadlineAfter(1500, TimeUnit.MILLISECONDS).generate(
                request(Mode.C2C).setPrompt(LONG_PROMPT).setSenderEndpoint(slowSender.endpoint()).build(),
                observer(end));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, end.get(30, TimeUnit.SECONDS).getCode());
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(ms < 5000, "deadline of 1.5 s took " + ms + " ms");
        for (NodeLauncher n : List.of(slowSender, projector, receiver)) {
            n.awaitIdle();
        }
    }

    @Test
    void aDeadlineInTheRequestWorksWithoutAGrpcDeadline() throws Exception {
        long start = System.nanoTime();
        CompletableFuture<Status> end = new CompletableFuture<>();
        ReceiverGrpc.newStub(receiver.channel).generate(request(Mode.C2C).setPrompt(LONG_PROMPT).setDeadlineMs(1000)
                .setSenderEndpoint(slowSender.endpoint()).build(), observer(end));
        Status s = end.get(30, TimeUnit.SECONDS);
        assertEquals(Status.Code.DEADLINE_EXCEEDED, s.getCode(), s.toString());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "deadline_ms of 1 s was not kept");
        for (NodeLauncher n : List.of(slowSender, projector, receiver)) {
            n.awaitIdle();
        }
    }

    @Test
    void killingTheSenderMidStreamEndsTheCallWithAReasonOrFallsBack() throws Exception {
        try (NodeLauncher doomed = ItNodes.start("sender", "sender-doomed",
                Map.of("latentlink.engine", "synthetic", "latentlink.synthetic.step-cost", "40ms"))) {
            doomed.awaitServing(90);
            GenerateRequest r = request(Mode.C2C).setPrompt(LONG_PROMPT).setSenderEndpoint(doomed.endpoint()).build();
            CompletableFuture<Status> end = new CompletableFuture<>();
            long start = System.nanoTime();
            ReceiverGrpc.newStub(receiver.channel).withDeadlineAfter(20, TimeUnit.SECONDS).generate(r, observer(end));
            doomed.awaitStatus(s -> s.getInflightCalls() > 0, "share in flight", 30);
            doomed.kill();
            Status s = end.get(30, TimeUnit.SECONDS);
            assertTrue(s.getCode() == Status.Code.UNAVAILABLE || s.getCode() == Status.Code.ABORTED, s.toString());
            assertTrue(s.getDescription() != null && s.getDescription().contains("sharer"), s.toString());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20), "ended within the deadline");

            Answer fallback = generate(r.toBuilder().setFallbackToReceiverOnly(true).build());
            assertTrue(fallback.stats().getFallback());
            assertTrue(fallback.stats().getFallbackReason().startsWith("UNAVAILABLE"),
                    fallback.stats().getFallbackReason());
            assertEquals(8, fallback.tokens().size());
            projector.awaitIdle();
            receiver.awaitIdle();
        }
    }

    @Test
    void killingTheProjectorMidStreamEndsTheCallWithAReasonOrFallsBack() throws Exception {
        try (NodeLauncher doomed = ItNodes.start("projector", "projector-doomed",
                Map.of("latentlink.engine", "synthetic", "latentlink.credit-window", "4"))) {
            doomed.awaitServing(90);
            GenerateRequest r = request(Mode.C2C).setPrompt(LONG_PROMPT).setSenderEndpoint(slowSender.endpoint())
                    .setProjectorEndpoint(doomed.endpoint()).build();
            CompletableFuture<Status> end = new CompletableFuture<>();
            long start = System.nanoTime();
            ReceiverGrpc.newStub(receiver.channel).withDeadlineAfter(20, TimeUnit.SECONDS).generate(r, observer(end));
            doomed.awaitStatus(s -> s.getInflightCalls() > 0, "fuse in flight", 30);
            slowSender.awaitStatus(s -> s.getInflightCalls() > 0, "share in flight", 30);
            doomed.kill();
            Status s = end.get(30, TimeUnit.SECONDS);
            assertEquals(Status.Code.UNAVAILABLE, s.getCode(), s.toString());
            assertTrue(s.getDescription() != null && s.getDescription().contains("projector"), s.toString());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20), "ended within the deadline");
            // The dead projector's Share call is torn down by the sender too (its peer vanished).
            slowSender.awaitIdle();
            receiver.awaitIdle();

            Answer fallback = generate(r.toBuilder().setFallbackToReceiverOnly(true).build());
            assertTrue(fallback.stats().getFallback());
            assertTrue(fallback.stats().getFallbackReason().contains("projector"), fallback.stats().getFallbackReason());
        }
    }

    private static StreamObserver<GenerateResponse> observer(CompletableFuture<Status> end) {
        return new StreamObserver<>() {
            public void onNext(GenerateResponse r) {
            }

            public void onError(Throwable t) {
                end.complete(Status.fromThrowable(t));
            }

            public void onCompleted() {
                end.complete(Status.OK);
            }
        };
    }

    // ---- flow control -----------------------------------------------------------------------------------------

    @Test
    void aSlowConsumerWithTwoCreditsKeepsTheSendersBuffersBounded() throws Exception {
        String prompt = "a long prompt for a slow consumer ".repeat(600); // ~20k tokens
        sender.awaitIdle();
        io.latentlink.proto.v1.NodeGrpc.newBlockingStub(sender.channel)
                .status(io.latentlink.proto.v1.StatusRequest.newBuilder().setResetPeak(true).build());
        int window = 2;
        ConsumerCredits credits = new ConsumerCredits(window);
        SequenceTracker sequences = new SequenceTracker();
        KvGeometry sx = new KvGeometry("sx", "", 4, 4, 32);
        CompletableFuture<ShareResponse> summary = new CompletableFuture<>();
        long[] chunks = {0};
        SenderGrpc.newStub(sender.channel).withDeadlineAfter(120, TimeUnit.SECONDS).share(
                new ClientResponseObserver<ShareRequest, ShareResponse>() {
                    ClientCallStreamObserver<ShareRequest> requests;

                    public void beforeStart(ClientCallStreamObserver<ShareRequest> r) {
                        requests = r;
                    }

                    public void onNext(ShareResponse r) {
                        if (r.hasSummary()) {
                            summary.complete(r);
                            return;
                        }
                        credits.onReceived(); // fails if the sender ran ahead of its credits
                        KvChunks.decode(r.getChunk(), sx, Integer.MAX_VALUE, sequences, 1 << 20);
                        chunks[0]++;
                        // The slow consumer: a millisecond of "work" per chunk before crediting it back.
                        long until = System.nanoTime() + 1_000_000;
                        while (System.nanoTime() < until) {
                            Thread.onSpinWait();
                        }
                        int grant = credits.onConsumed();
                        if (grant > 0) {
                            requests.onNext(ShareRequest.newBuilder()
                                    .setCredit(Credit.newBuilder().setChunks(grant)).build());
                        }
                    }

                    public void onError(Throwable t) {
                        summary.completeExceptionally(t);
                    }

                    public void onCompleted() {
                    }
                }).onNext(ShareRequest.newBuilder().setStart(ShareStart.newBuilder().setPrompt(prompt)
                        .setCodecId("fp16").setChunkTokens(32).setInitialCredits(credits.initialGrant())).build());
        var s = summary.get(120, TimeUnit.SECONDS).getSummary();
        assertEquals(prompt.length(), s.getTokens());
        assertEquals(chunks[0], s.getChunks());
        long wholeCache = (long) prompt.length() * sx.layers() * sx.bytesPerTokenLayer();
        long oneStep = 32L * sx.layers() * sx.bytesPerTokenLayer();
        StatusReply st = sender.awaitIdle();
        assertTrue(st.getPeakInflightBytes() <= 2 * oneStep, "peak " + st.getPeakInflightBytes()
                + " B exceeds two prefill steps (" + 2 * oneStep + " B); the whole cache is " + wholeCache + " B");
    }

    // ---- pass-through -----------------------------------------------------------------------------------------

    /** The sharer's chunks straight from Share, with more credits than it needs. */
    private List<KvChunk> shareDirectly(String prompt, String codec) throws Exception {
        List<KvChunk> chunks = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> done = new CompletableFuture<>();
        SenderGrpc.newStub(sender.channel).withDeadlineAfter(30, TimeUnit.SECONDS).share(
                new StreamObserver<ShareResponse>() {
                    public void onNext(ShareResponse r) {
                        if (r.hasChunk()) {
                            chunks.add(r.getChunk());
                        }
                    }

                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    public void onCompleted() {
                        done.complete(null);
                    }
                }).onNext(ShareRequest.newBuilder().setStart(ShareStart.newBuilder().setPrompt(prompt)
                        .setCodecId(codec).setChunkTokens(32).setInitialCredits(10_000)).build());
        done.get(30, TimeUnit.SECONDS);
        return chunks;
    }

    @Test
    void passThroughForwardsTheSharersChunksUnchangedUnderTheCallersCredits() throws Exception {
        String prompt = PROMPT.repeat(10);
        List<KvChunk> direct = shareDirectly(prompt, "int8");
        assertTrue(direct.size() > 8, "more chunks than the credit window: " + direct.size());
        FuseProbe probe = FuseProbe.open(projector.channel, FuseStart.newBuilder()
                .setSharerEndpoint(sender.endpoint()).setFuserId("passthrough").setPrompt(prompt)
                .setCodecId("int8").setChunkTokens(32).setInitialCredits(2).setReceiverModelId("sx").build());
        var plan = probe.next(FuseResponse.KindCase.PLAN).getPlan();
        assertEquals(0, plan.getReceiverLayersCount(), "pass-through asks the caller for no KV");
        assertEquals("sx", plan.getSharerModelId());
        probe.end();
        KvGeometry sx = new KvGeometry("sx", "", 4, 4, 32);
        SequenceTracker sequences = new SequenceTracker();
        List<KvChunk> forwarded = new ArrayList<>();
        int granted = 2;
        while (forwarded.size() < direct.size()) {
            KvChunk c = probe.next(FuseResponse.KindCase.CHUNK).getChunk();
            KvChunks.decode(c, sx, prompt.length(), sequences, 1 << 20);
            forwarded.add(c);
            long arrived = forwarded.size() + probe.responses.stream().filter(FuseResponse::hasChunk).count();
            assertTrue(arrived <= granted, arrived + " chunks arrived against " + granted + " credits");
            probe.credit(1);
            granted++;
        }
        assertEquals(direct, forwarded, "same headers, sequence numbers and payloads as Share gives");
        var summary = probe.next(FuseResponse.KindCase.SUMMARY).getSummary();
        assertEquals(prompt.length(), summary.getSharer().getTokens());
        assertEquals(direct.size(), summary.getFused().getChunks());
        assertEquals(0, summary.getLayersFused());
        assertEquals(summary.getSharer().getWireBytes(), summary.getFused().getWireBytes());
        assertEquals(Status.Code.OK, probe.awaitEnd().getCode());
        projector.awaitIdle();
    }

    @Test
    void passThroughRefusesCallerChunksTheWrongSharerModelAndIsOffByDefault() throws Exception {
        FuseProbe wrongModel = FuseProbe.open(projector.channel, FuseStart.newBuilder()
                .setSharerEndpoint(sender.endpoint()).setFuserId("passthrough").setPrompt(PROMPT)
                .setInitialCredits(8).setReceiverModelId("qwen").build());
        assertEquals(Status.Code.NOT_FOUND, wrongModel.awaitEnd().getCode());

        FuseProbe pushy = FuseProbe.open(projector.channel, FuseStart.newBuilder()
                .setSharerEndpoint(sender.endpoint()).setFuserId("passthrough").setPrompt(PROMPT)
                .setInitialCredits(8).build());
        pushy.next(FuseResponse.KindCase.PLAN);
        pushy.send(shareDirectly(PROMPT, "fp16").get(0));
        assertEquals(Status.Code.INVALID_ARGUMENT, pushy.awaitEnd().getCode());
        projector.awaitIdle();

        FuseProbe off = FuseProbe.open(plainProjector.channel, FuseStart.newBuilder()
                .setSharerEndpoint(sender.endpoint()).setFuserId("passthrough").setPrompt(PROMPT)
                .setInitialCredits(8).build());
        Status refused = off.awaitEnd();
        assertEquals(Status.Code.NOT_FOUND, refused.getCode());
        assertTrue(refused.getDescription().contains("latentlink.passthrough"), refused.getDescription());
    }
}
