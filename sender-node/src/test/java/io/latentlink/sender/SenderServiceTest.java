package io.latentlink.sender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.latentlink.core.wire.ConsumerCredits;
import io.latentlink.core.wire.KvGeometry;
import io.latentlink.core.wire.SequenceTracker;
import io.latentlink.proto.v1.Credit;
import io.latentlink.proto.v1.RelayRequest;
import io.latentlink.proto.v1.SenderGrpc;
import io.latentlink.proto.v1.ShareRequest;
import io.latentlink.proto.v1.ShareResponse;
import io.latentlink.proto.v1.ShareStart;
import io.latentlink.transport.ComputeExecutor;
import io.latentlink.transport.InflightTracker;
import io.latentlink.transport.KvChunks;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SenderServiceTest {

    private static final KvGeometry SX = new KvGeometry("sx", "", 4, 4, 32);

    private final InflightTracker tracker = new InflightTracker();
    private final ComputeExecutor executor = new ComputeExecutor();
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name)
                .addService(new SenderService(new SyntheticSharerEngine(SX, Duration.ZERO),
                        new ShareSettings("fp32", 8, 16 * 1024, Duration.ofSeconds(20)), tracker, executor))
                .build().start();
        channel = InProcessChannelBuilder.forName(name).build();
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        server.shutdownNow();
    }

    /** A consumer that grants credits only as it consumes, and checks every chunk. */
    private final class Consumer implements ClientResponseObserver<ShareRequest, ShareResponse> {
        final ConsumerCredits credits;
        final ShareStart start;
        final SequenceTracker sequences = new SequenceTracker();
        final CompletableFuture<ShareResponse> summary = new CompletableFuture<>();
        final int stopAfter;
        ClientCallStreamObserver<ShareRequest> requests;
        int chunks;
        int maxOutstanding;

        Consumer(int window, ShareStart start, int stopAfter) {
            this.credits = new ConsumerCredits(window);
            this.start = start;
            this.stopAfter = stopAfter;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<ShareRequest> requests) {
            this.requests = requests;
        }

        void open() {
            requests.onNext(ShareRequest.newBuilder()
                    .setStart(start.toBuilder().setInitialCredits(credits.initialGrant())).build());
        }

        @Override
        public void onNext(ShareResponse r) {
            if (r.hasSummary()) {
                summary.complete(r);
                return;
            }
            credits.onReceived(); // throws if the sender overran its credits
            KvChunks.decode(r.getChunk(), SX, 1 << 16, sequences, 1 << 20);
            chunks++;
            if (chunks == stopAfter) {
                requests.cancel("test consumer stops", null);
                summary.completeExceptionally(new IllegalStateException("cancelled by test"));
                return;
            }
            int grant = credits.onConsumed();
            if (grant > 0) {
                requests.onNext(ShareRequest.newBuilder().setCredit(Credit.newBuilder().setChunks(grant)).build());
            }
        }

        @Override
        public void onError(Throwable t) {
            summary.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
            summary.completeExceptionally(new IllegalStateException("completed without summary"));
        }
    }

    private Consumer share(int window, ShareStart start, int stopAfter) {
        Consumer c = new Consumer(window, start, stopAfter);
        SenderGrpc.newStub(channel).share(c);
        c.open();
        return c;
    }

    @Test
    void streamsEveryChunkWithinASmallCreditWindowAndEndsWithASummary() throws Exception {
        String prompt = "the quick brown fox jumps over the lazy dog ".repeat(20);
        Consumer c = share(2, ShareStart.newBuilder().setPrompt(prompt).setCodecId("fp16").build(), -1);
        ShareResponse summary = c.summary.get(30, TimeUnit.SECONDS);
        assertEquals(prompt.length(), summary.getSummary().getTokens());
        assertEquals(c.chunks, summary.getSummary().getChunks());
        assertTrue(c.chunks > 4, "expected many chunks, got " + c.chunks);
        assertEquals(summary.getSummary().getRawBytes(), 2 * summary.getSummary().getWireBytes());
        awaitIdle();
        assertEquals(1, tracker.completed());
    }

    @Test
    void onlyTheRequestedLayersAreSent() throws Exception {
        Consumer c = share(4, ShareStart.newBuilder().setPrompt("hello").addLayers(3).addLayers(1).build(), -1);
        ShareResponse summary = c.summary.get(30, TimeUnit.SECONDS);
        assertEquals(2, summary.getSummary().getLayers());
    }

    @Test
    void badStartsAreRefusedWithTheRightStatusAndTheNodeKeepsServing() throws Exception {
        assertEquals(Status.Code.INVALID_ARGUMENT,
                failure(ShareStart.newBuilder().setPrompt("x").setCodecId("zip-42").build()));
        assertEquals(Status.Code.NOT_FOUND,
                failure(ShareStart.newBuilder().setPrompt("x").setExpectedModelId("gpt-9").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, failure(ShareStart.newBuilder().setPrompt("").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT,
                failure(ShareStart.newBuilder().setPrompt("x").addLayers(9).build()));
        assertNotNull(share(2, ShareStart.newBuilder().setPrompt("still here").build(), -1)
                .summary.get(30, TimeUnit.SECONDS));
        awaitIdle();
        assertEquals(4, tracker.failed());
    }

    @Test
    void consumerCancelStopsTheWorkAndReleasesItsBytes() throws Exception {
        Consumer c = share(2, ShareStart.newBuilder().setPrompt("a long prompt ".repeat(200)).build(), 3);
        assertEquals(3, waitChunks(c));
        awaitIdle();
        assertEquals(0, tracker.inflightBytes());
        assertEquals(1, tracker.cancelled());
    }

    @Test
    void relayAnswersTextMode() {
        var reply = SenderGrpc.newBlockingStub(channel)
                .relay(RelayRequest.newBuilder().setPrompt("Mira lives in Varn").build());
        assertEquals("Mira lives in Varn", reply.getText());
    }

    private int waitChunks(Consumer c) throws Exception {
        try {
            c.summary.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException expected) {
            // the consumer cancelled itself after n chunks
        }
        return c.chunks;
    }

    private Status.Code failure(ShareStart start) throws Exception {
        Consumer c = share(2, start, -1);
        try {
            c.summary.get(30, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure for " + start);
        } catch (java.util.concurrent.ExecutionException e) {
            return ((StatusRuntimeException) e.getCause()).getStatus().getCode();
        }
    }

    /** Polls the tracker (no fixed sleeps): every call ends shortly after its stream does. */
    private void awaitIdle() throws InterruptedException {
        LinkedBlockingQueue<Object> never = new LinkedBlockingQueue<>();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (tracker.inflightCalls() != 0 && System.nanoTime() < until) {
            never.poll(10, TimeUnit.MILLISECONDS);
        }
        assertEquals(0, tracker.inflightCalls(), "calls still in flight");
    }
}
