package io.latentlink.receiver;

import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.latentlink.core.wire.ChunkPlanner;
import io.latentlink.core.wire.ConsumerCredits;
import io.latentlink.core.wire.KvBlock;
import io.latentlink.core.wire.KvGeometry;
import io.latentlink.core.wire.KvSliceShape;
import io.latentlink.core.wire.SequenceTracker;
import io.latentlink.proto.v1.Credit;
import io.latentlink.proto.v1.FuseEnd;
import io.latentlink.proto.v1.FusePlan;
import io.latentlink.proto.v1.FuseRequest;
import io.latentlink.proto.v1.FuseResponse;
import io.latentlink.proto.v1.FuseStart;
import io.latentlink.proto.v1.FuseSummary;
import io.latentlink.proto.v1.KvChunk;
import io.latentlink.proto.v1.ProjectorGrpc;
import io.latentlink.transport.CreditedWriter;
import io.latentlink.transport.InflightTracker;
import io.latentlink.transport.KvChunks;
import io.latentlink.transport.PayloadCodec;
import io.latentlink.transport.PeerChannels;
import io.latentlink.transport.Statuses;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The receiver's side of one Fuse stream: prefills all but the last prompt token step by step and streams that KV
 * to the projector against its credits, while fused chunks are checked and reassembled on the gRPC thread as they
 * arrive (granting credits back as they are absorbed, so neither side waits on the other). When the projector's
 * summary arrives and every fused cell is present, the fused layers replace the session's own.
 *
 * <p>Runs on the Generate call's worker, inside its gRPC context: the Fuse call inherits the deadline and dies with
 * the Generate call.
 */
final class C2cExchange {

    record Result(FuseSummary summary, long prefillNanos, long encodeNanos, long wallNanos, long rawBytes,
            long wireBytes) {
    }

    private final PeerChannels peers;
    private final GenerateSettings settings;
    private final KvGeometry geometry;
    private final InflightTracker.Call call;
    private final Deadline deadline;

    C2cExchange(PeerChannels peers, GenerateSettings settings, KvGeometry geometry, InflightTracker.Call call,
            Deadline deadline) {
        this.peers = peers;
        this.settings = settings;
        this.geometry = geometry;
        this.call = call;
        this.deadline = deadline;
    }

    Result run(ReceiverEngine.Session session, String prompt, String projector, String sharer, PayloadCodec codec,
            Map<String, String> codecParams) {
        long start = System.nanoTime();
        int fusedTokens = session.promptTokens() - 1;
        Inbound in = new Inbound(fusedTokens);
        int initial = in.credits.initialGrant();
        ProjectorGrpc.newStub(peers.get(projector)).fuse(in);
        CreditedWriter<FuseRequest> writer = in.writer;
        long prefillNs = 0, encodeNs = 0, raw = 0, wire = 0;
        try {
            writer.sendControl(FuseRequest.newBuilder().setStart(FuseStart.newBuilder()
                    .setSharerEndpoint(sharer)
                    .setFuserId(settings.fuser())
                    .setPrompt(prompt)
                    .setCodecId(codec.id())
                    .putAllCodecParams(codecParams)
                    .setChunkTokens(settings.chunkTokens())
                    .setInitialCredits(initial)
                    .setReceiverModelId(geometry.modelId())
                    .setReceiverManifestHash(geometry.manifestHash())
                    .setReceiverTokens(fusedTokens)).build());
            FusePlan plan = await(in.plan, in, projector);
            ChunkPlanner planner = new ChunkPlanner(settings.maxChunkBytes());
            long seq = 0;
            while (true) {
                long t0 = System.nanoTime();
                KvBlock block = session.prefill(settings.chunkTokens(), fusedTokens);
                prefillNs += System.nanoTime() - t0;
                if (block == null) {
                    break;
                }
                for (KvSliceShape s : planner.plan(plan.getReceiverLayersList(), block.tokenStart(), block.tokenEnd(),
                        geometry.kvHeads(), geometry.headSize(), codec.bytesPerElement(geometry.kvHeads(), geometry.headSize()))) {
                    long t1 = System.nanoTime();
                    KvChunk chunk = KvChunks.encode(geometry, s, block.gather(s), codec, seq++);
                    encodeNs += System.nanoTime() - t1;
                    call.hold(chunk.getPayload().size());
                    boolean sent = writer.sendChunk(FuseRequest.newBuilder().setChunk(chunk).build(),
                            deadline.timeRemaining(TimeUnit.NANOSECONDS), TimeUnit.NANOSECONDS);
                    call.release(chunk.getPayload().size());
                    if (!sent) {
                        throw in.failureOr(Status.DEADLINE_EXCEEDED.withDescription(
                                "projector granted no credit before the deadline"), projector);
                    }
                    raw += s.elements() * (long) Float.BYTES;
                    wire += chunk.getPayload().size();
                }
            }
            writer.sendControl(FuseRequest.newBuilder().setEnd(FuseEnd.getDefaultInstance()).build());
            FuseSummary summary = await(in.summary, in, projector);
            // Only now half-close: until the summary, the receiver still grants credits for fused chunks.
            writer.complete();
            FusedAssembly fused = in.assembly;
            if (!fused.complete()) {
                throw Status.DATA_LOSS.withDescription("projector summary arrived before every fused chunk")
                        .asRuntimeException();
            }
            for (int l : fused.layers()) {
                session.replaceKv(l, fused.key(l), fused.value(l), fusedTokens);
            }
            return new Result(summary, prefillNs, encodeNs, System.nanoTime() - start, raw + in.rawBytes,
                    wire + in.wireBytes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            in.cancel("interrupted");
            throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
        } catch (RuntimeException e) {
            in.cancel(e.getMessage());
            throw e;
        } finally {
            in.releaseAssembly();
        }
    }

    private <T> T await(CompletableFuture<T> f, Inbound in, String projector) throws InterruptedException {
        try {
            return f.get(deadline.timeRemaining(TimeUnit.NANOSECONDS), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw Status.DEADLINE_EXCEEDED.withDescription("no answer from projector " + projector
                    + " before the deadline").asRuntimeException();
        } catch (ExecutionException e) {
            throw in.failureOr(Status.ABORTED.withDescription(String.valueOf(e.getCause())), projector);
        }
    }

    /** Everything the projector sends, handled on the gRPC thread. */
    private final class Inbound implements ClientResponseObserver<FuseRequest, FuseResponse> {
        final int fusedTokens;
        final ConsumerCredits credits = new ConsumerCredits(settings.creditWindow());
        final SequenceTracker sequences = new SequenceTracker();
        final CompletableFuture<FusePlan> plan = new CompletableFuture<>();
        final CompletableFuture<FuseSummary> summary = new CompletableFuture<>();
        volatile CreditedWriter<FuseRequest> writer;
        volatile ClientCallStreamObserver<FuseRequest> requests;
        volatile FusedAssembly assembly;
        volatile Status failure;
        long rawBytes;
        long wireBytes;
        private long heldForAssembly;

        Inbound(int fusedTokens) {
            this.fusedTokens = fusedTokens;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<FuseRequest> requests) {
            this.requests = requests;
            this.writer = new CreditedWriter<>(requests);
        }

        @Override
        public void onNext(FuseResponse r) {
            try {
                switch (r.getKindCase()) {
                    case PLAN -> {
                        FusePlan p = r.getPlan();
                        if (p.getReceiverTokens().getEnd() != fusedTokens) {
                            throw Status.FAILED_PRECONDITION.withDescription("projector plans "
                                    + p.getReceiverTokens().getEnd() + " fused tokens, receiver has " + fusedTokens
                                    + " (tokenizer mismatch?)").asRuntimeException();
                        }
                        FusedAssembly a = new FusedAssembly(geometry, p.getReceiverLayersList(), fusedTokens);
                        synchronized (this) {
                            heldForAssembly = a.bytes();
                            call.hold(heldForAssembly);
                        }
                        assembly = a;
                        plan.complete(p);
                    }
                    case CREDIT -> writer.grant(r.getCredit().getChunks());
                    case CHUNK -> {
                        if (assembly == null) {
                            throw Status.INVALID_ARGUMENT.withDescription("fused chunk before plan")
                                    .asRuntimeException();
                        }
                        credits.onReceived();
                        KvChunks.Decoded d = KvChunks.decode(r.getChunk(), geometry, fusedTokens, sequences,
                                settings.maxChunkBytes());
                        assembly.accept(d.shape(), d.values());
                        rawBytes += d.rawBytes();
                        wireBytes += d.wireBytes();
                        int grant = credits.onConsumed();
                        if (grant > 0) {
                            writer.sendControl(FuseRequest.newBuilder()
                                    .setCredit(Credit.newBuilder().setChunks(grant)).build());
                        }
                    }
                    case SUMMARY -> summary.complete(r.getSummary());
                    default -> throw Status.INVALID_ARGUMENT.withDescription("empty FuseResponse")
                            .asRuntimeException();
                }
            } catch (RuntimeException e) {
                Status s = Statuses.of(e);
                failed(Status.ABORTED.withDescription("receiver rejected projector output: " + s.getCode() + " "
                        + s.getDescription()));
                requests.cancel("receiver rejected projector output", e);
            }
        }

        @Override
        public void onError(Throwable t) {
            failed(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            if (!summary.isDone()) {
                failed(Status.ABORTED.withDescription("projector ended the stream without a summary"));
            }
        }

        private void failed(Status s) {
            if (failure == null) {
                failure = s;
            }
            writer.abandon();
            IllegalStateException e = new IllegalStateException(s.toString());
            plan.completeExceptionally(e);
            summary.completeExceptionally(e);
        }

        void cancel(String why) {
            writer.abandon();
            requests.cancel(why == null ? "receiver gave up" : why, null);
        }

        synchronized void releaseAssembly() {
            call.release(heldForAssembly);
            heldForAssembly = 0;
        }

        StatusRuntimeException failureOr(Status fallback, String projector) {
            Status s = failure != null ? failure : fallback;
            String where = s.getDescription() != null && s.getDescription().startsWith("sharer ")
                    ? s.getDescription()
                    : "projector " + projector + ": " + s.getDescription();
            return s.withDescription(where).asRuntimeException();
        }
    }
}
