package io.latentlink.projector;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.latentlink.core.wire.ConsumerCredits;
import io.latentlink.core.wire.SequenceTracker;
import io.latentlink.core.wire.WireException;
import io.latentlink.proto.v1.Credit;
import io.latentlink.proto.v1.FusePlan;
import io.latentlink.proto.v1.FuseRequest;
import io.latentlink.proto.v1.FuseResponse;
import io.latentlink.proto.v1.FuseStart;
import io.latentlink.proto.v1.FuseSummary;
import io.latentlink.proto.v1.KvChunk;
import io.latentlink.proto.v1.Range;
import io.latentlink.proto.v1.SenderGrpc;
import io.latentlink.proto.v1.ShareRequest;
import io.latentlink.proto.v1.ShareResponse;
import io.latentlink.proto.v1.ShareStart;
import io.latentlink.proto.v1.StageTimings;
import io.latentlink.proto.v1.TransferSummary;
import io.latentlink.transport.CreditedWriter;
import io.latentlink.transport.InflightTracker;
import io.latentlink.transport.KvChunks;
import io.latentlink.transport.PayloadCodec;
import io.latentlink.transport.PayloadCodecs;
import io.latentlink.transport.PeerChannels;
import io.latentlink.transport.Statuses;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One Fuse stream. Everything that touches the fusion runs on one worker (an actor fed by a queue): the receiver's
 * start, chunks and end, and the sharer leg's chunks, summary and failure. Credits for fused chunks and
 * cancellation bypass the queue, because the worker may be blocked waiting for exactly those.
 *
 * <p>Backpressure runs end to end: the receiver gets a credit back only when its chunk has been fused and sent,
 * the sender only when its chunk has been absorbed into the fusion, and fused chunks go out only against the
 * receiver's credits. The sharer call is made inside this call's gRPC context, so it inherits the deadline and is
 * cancelled with this call.
 *
 * <p>Fuser id {@value #PASS_THROUGH} (when {@code latentlink.passthrough} is on) turns fusion off: the plan asks the
 * caller for nothing, and each sharer chunk is checked without decoding ({@link KvChunks#check}: sequence, model,
 * size, shape, codec, payload size, CRC32C) and forwarded as the same message, its sequence number unchanged; the
 * sharer is re-credited only when the chunk has gone out against the caller's credits, so backpressure still runs
 * end to end.
 */
final class FuseCall implements StreamObserver<FuseRequest>, Runnable {

    /** Reserved fuser id: forward the sharer's chunks unchanged. */
    static final String PASS_THROUGH = "passthrough";

    private sealed interface Event permits Start, ReceiverChunk, ReceiverEnd, SharerChunk, SharerSummary,
            SharerFailed, SharerClosed, Stop {
    }

    private record Start(FuseStart start) implements Event {
    }

    private record ReceiverChunk(KvChunk chunk) implements Event {
    }

    private record ReceiverEnd() implements Event {
    }

    private record SharerChunk(KvChunk chunk) implements Event {
    }

    private record SharerSummary(TransferSummary summary) implements Event {
    }

    private record SharerFailed(Status status) implements Event {
    }

    private record SharerClosed() implements Event {
    }

    private record Stop() implements Event {
    }

    private final FuserEngine engine;
    private final FuseSettings settings;
    private final CreditedWriter<FuseResponse> writer;
    private final InflightTracker.Call call;
    private final PeerChannels peers;
    private final Deadline deadline;
    private final Context.CancellableContext context;
    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    /**
     * Chunks received from each peer and credits granted to it. The worker raises the grants before it sends them;
     * the gRPC threads count arrivals and refuse a peer that sends beyond its grants at once, before the worker (which
     * may be blocked waiting for credits itself) would notice, so an overrunning peer cannot fill the queue.
     */
    private final AtomicLong receivedFromReceiver = new AtomicLong();
    private final AtomicLong grantedToReceiver = new AtomicLong();
    private final AtomicLong receivedFromSharer = new AtomicLong();
    private final AtomicLong grantedToSharer = new AtomicLong();

    // Worker-thread state.
    private FuserEngine.Fusion fusion;
    /** Set instead of {@link #fusion} on a pass-through call. */
    private PassThrough passThrough;
    private FuseStart start;
    private PayloadCodec codec;
    private ConsumerCredits receiverCredits;
    private ConsumerCredits sharerCredits;
    private final SequenceTracker receiverSequences = new SequenceTracker();
    private final SequenceTracker sharerSequences = new SequenceTracker();
    private long fusedSequence;
    private volatile ClientCallStreamObserver<ShareRequest> sharer;
    private TransferSummary sharerSummary;
    private boolean receiverEnded;
    private long accountedBytes;
    private long fuseNs;
    private long encodeNs;
    private long transferNs;
    private long rawBytes;
    private long wireBytes;
    private int receiverTokensSeen;

    FuseCall(FuserEngine engine, FuseSettings settings, CreditedWriter<FuseResponse> writer,
            InflightTracker.Call call, PeerChannels peers, Deadline deadline, Context.CancellableContext context) {
        this.engine = engine;
        this.settings = settings;
        this.writer = writer;
        this.call = call;
        this.peers = peers;
        this.deadline = deadline;
        this.context = context;
    }

    // ---- inbound (gRPC thread) --------------------------------------------------------------------------------

    @Override
    public void onNext(FuseRequest request) {
        switch (request.getKindCase()) {
            case START -> events.add(new Start(request.getStart()));
            case CHUNK -> {
                if (receivedFromReceiver.incrementAndGet() > grantedToReceiver.get()) {
                    fail(Statuses.of(new WireException(WireException.Kind.PROTOCOL,
                            "receiver sent more chunks than it was credited")));
                    return;
                }
                events.add(new ReceiverChunk(request.getChunk()));
            }
            case END -> events.add(new ReceiverEnd());
            case CREDIT -> {
                try {
                    writer.grant(request.getCredit().getChunks());
                } catch (WireException e) {
                    fail(Statuses.of(e));
                }
            }
            default -> fail(Status.INVALID_ARGUMENT.withDescription("empty FuseRequest"));
        }
    }

    @Override
    public void onError(Throwable t) {
        cancel();
    }

    @Override
    public void onCompleted() {
        // Half-close after FuseEnd is normal; fused chunks keep flowing.
    }

    void cancel() {
        writer.abandon();
        call.end(InflightTracker.Outcome.CANCELLED);
        events.add(new Stop());
    }

    private void fail(Status status) {
        writer.fail(status);
        call.end(InflightTracker.Outcome.FAILED);
        events.add(new Stop());
    }

    // ---- worker -----------------------------------------------------------------------------------------------

    @Override
    public void run() {
        try {
            while (!writer.isFinished()) {
                Event e = events.poll(deadline.timeRemaining(TimeUnit.NANOSECONDS), TimeUnit.NANOSECONDS);
                if (e == null) {
                    fail(Status.DEADLINE_EXCEEDED.withDescription("fusion did not finish before the deadline"));
                    break;
                }
                handle(e);
                syncHeldBytes();
                if (isDone()) {
                    finish();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel();
        } catch (RuntimeException e) {
            fail(Statuses.of(e));
        } finally {
            if (fusion != null) {
                fusion.close();
            }
            // Cancels the sharer call too, if it is still open: it runs in this context.
            context.cancel(null);
        }
    }

    private void handle(Event e) throws InterruptedException {
        switch (e) {
            case Start s -> open(s.start());
            case ReceiverChunk c -> onReceiverChunk(c.chunk());
            case ReceiverEnd r -> {
                requireStarted("end");
                int expected = fusion == null ? 0 : fusion.receiverTokens();
                if (receiverTokensSeen < expected) {
                    // Only a coarse check: per-layer coverage is the receiver's assembler's job.
                    throw new WireException(WireException.Kind.PROTOCOL, "receiver ended after tokens up to "
                            + receiverTokensSeen + " of " + expected);
                }
                receiverEnded = true;
            }
            case SharerChunk c -> onSharerChunk(c.chunk());
            case SharerSummary s -> {
                sharerSummary = s.summary();
                if (fusion != null) {
                    fusion.sharerDone(s.summary().getTokens());
                    sendReady();
                }
            }
            case SharerFailed f -> {
                if (writer.isFinished()) {
                    return;
                }
                if (context.isCancelled()) {
                    // The sharer leg died with this call (client cancel or our deadline), not on its own.
                    if (deadline.isExpired()) {
                        fail(Status.DEADLINE_EXCEEDED.withDescription("fusion did not finish before the deadline"));
                    } else {
                        cancel();
                    }
                } else {
                    fail(SharerFailures.of(f.status(), start.getSharerEndpoint()));
                }
            }
            case SharerClosed c -> {
                if (sharerSummary == null && !writer.isFinished()) {
                    fail(Status.ABORTED.withDescription("sharer " + start.getSharerEndpoint()
                            + " ended its stream without a summary"));
                }
            }
            case Stop s -> {
            }
        }
    }

    private void requireStarted(String what) {
        if (fusion == null && passThrough == null) {
            throw new WireException(WireException.Kind.PROTOCOL, what + " before start");
        }
    }

    private void open(FuseStart s) {
        if (start != null) {
            throw new WireException(WireException.Kind.PROTOCOL, "second start on one Fuse stream");
        }
        if (s.getPrompt().isEmpty()) {
            throw new IllegalArgumentException("prompt is empty");
        }
        this.start = s;
        String codecId = s.getCodecId().isEmpty() ? settings.defaultCodec() : s.getCodecId();
        codec = PayloadCodecs.lookup(codecId, s.getCodecParamsMap());
        var channel = peers.get(s.getSharerEndpoint());
        if (PASS_THROUGH.equals(s.getFuserId())) {
            openPassThrough(s, codecId, channel);
            return;
        }
        fusion = engine.open(s.getFuserId(), s.getReceiverModelId(), s.getReceiverManifestHash(), s.getPrompt());
        if (s.getReceiverTokens() != 0 && s.getReceiverTokens() != fusion.receiverTokens()) {
            throw new WireException(WireException.Kind.MALFORMED, "receiver says " + s.getReceiverTokens()
                    + " fused tokens, the fuser's tokenization gives " + fusion.receiverTokens());
        }
        writer.sendControl(FuseResponse.newBuilder().setPlan(FusePlan.newBuilder()
                .addAllReceiverLayers(fusion.fusedLayers())
                .setReceiverTokens(Range.newBuilder().setStart(0).setEnd(fusion.receiverTokens()))
                .setSharerModelId(fusion.sharer().modelId())).build());
        if (s.getInitialCredits() > 0) {
            writer.grant(s.getInitialCredits());
        }
        receiverCredits = new ConsumerCredits(settings.creditWindow());
        int receiverWindow = receiverCredits.initialGrant();
        grantedToReceiver.addAndGet(receiverWindow);
        writer.sendControl(FuseResponse.newBuilder()
                .setCredit(Credit.newBuilder().setChunks(receiverWindow)).build());

        openSharer(s, codecId, channel, fusion.sharerLayers(), fusion.sharer().modelId());
    }

    /**
     * Pass-through: no fuser, no receiver KV. The caller names the sharer model it expects in
     * {@code receiver_model_id} (optional), since the chunks it gets back are the sharer's; it sends its end at once.
     */
    private void openPassThrough(FuseStart s, String codecId, io.grpc.Channel channel) {
        if (!settings.passThrough()) {
            throw new WireException(WireException.Kind.UNKNOWN_MODEL, "fuser id '" + PASS_THROUGH
                    + "' is reserved for pass-through, which this projector has off (latentlink.passthrough)");
        }
        passThrough = new PassThrough(s.getReceiverModelId());
        writer.sendControl(FuseResponse.newBuilder().setPlan(FusePlan.newBuilder()
                .setReceiverTokens(Range.newBuilder().setStart(0).setEnd(0))
                .setSharerModelId(s.getReceiverModelId())).build());
        if (s.getInitialCredits() > 0) {
            writer.grant(s.getInitialCredits());
        }
        openSharer(s, codecId, channel, java.util.List.of(), s.getReceiverModelId());
    }

    private void openSharer(FuseStart s, String codecId, io.grpc.Channel channel, java.util.List<Integer> layers,
            String expectedModelId) {
        sharerCredits = new ConsumerCredits(settings.creditWindow());
        int sharerWindow = sharerCredits.initialGrant();
        grantedToSharer.addAndGet(sharerWindow);
        SenderGrpc.newStub(channel).share(new ClientResponseObserver<ShareRequest, ShareResponse>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<ShareRequest> requests) {
                sharer = requests;
            }

            @Override
            public void onNext(ShareResponse r) {
                if (r.hasChunk() && receivedFromSharer.incrementAndGet() > grantedToSharer.get()) {
                    events.add(new SharerFailed(Status.ABORTED.withDescription(
                            "sharer sent more chunks than it was credited")));
                    sharer.cancel("sharer ignored its credits", null);
                    return;
                }
                events.add(r.hasSummary() ? new SharerSummary(r.getSummary()) : new SharerChunk(r.getChunk()));
            }

            @Override
            public void onError(Throwable t) {
                events.add(new SharerFailed(Status.fromThrowable(t)));
            }

            @Override
            public void onCompleted() {
                events.add(new SharerClosed());
            }
        });
        sharer.onNext(ShareRequest.newBuilder().setStart(ShareStart.newBuilder()
                .setPrompt(s.getPrompt())
                .setCodecId(codecId)
                .putAllCodecParams(s.getCodecParamsMap())
                .setChunkTokens(s.getChunkTokens() != 0 ? s.getChunkTokens() : settings.chunkTokens())
                .setInitialCredits(sharerWindow)
                .addAllLayers(layers)
                .setExpectedModelId(expectedModelId)).build());
    }

    private void onReceiverChunk(KvChunk chunk) throws InterruptedException {
        requireStarted("chunk");
        if (receiverEnded) {
            throw new WireException(WireException.Kind.PROTOCOL, "receiver chunk after end");
        }
        receiverCredits.onReceived();
        KvChunks.Decoded d = KvChunks.decode(chunk, fusion.receiver(), fusion.receiverTokens(), receiverSequences,
                settings.maxChunkBytes());
        receiverTokensSeen = Math.max(receiverTokensSeen, d.shape().tokenEnd());
        fusion.acceptReceiver(d.shape(), d.values());
        sendReady();
    }

    private void onSharerChunk(KvChunk chunk) throws InterruptedException {
        sharerCredits.onReceived();
        if (passThrough != null) {
            forward(chunk);
            return;
        }
        KvChunks.Decoded d = KvChunks.decode(chunk, fusion.sharer(), Integer.MAX_VALUE, sharerSequences,
                settings.maxChunkBytes());
        long t0 = System.nanoTime();
        fusion.acceptSharer(d.shape(), d.values());
        fuseNs += System.nanoTime() - t0;
        int grant = sharerCredits.onConsumed();
        if (grant > 0) {
            grantedToSharer.addAndGet(grant);
            sharer.onNext(ShareRequest.newBuilder().setCredit(Credit.newBuilder().setChunks(grant)).build());
        }
        sendReady();
    }

    /** Pass-through: checks a sharer chunk and sends the very same message on, then re-credits the sharer. */
    private void forward(KvChunk chunk) throws InterruptedException {
        KvChunks.Checked c = KvChunks.check(chunk, passThrough.expectedModelId, sharerSequences,
                settings.maxChunkBytes());
        passThrough.requireSameGeometry(c);
        long t0 = System.nanoTime();
        call.hold(c.wireBytes());
        try {
            if (!writer.sendChunk(FuseResponse.newBuilder().setChunk(chunk).build(),
                    deadline.timeRemaining(TimeUnit.NANOSECONDS), TimeUnit.NANOSECONDS)) {
                if (!writer.isFinished()) {
                    fail(Status.DEADLINE_EXCEEDED.withDescription("caller granted no credit before the deadline"));
                }
                return;
            }
        } finally {
            call.release(c.wireBytes());
        }
        transferNs += System.nanoTime() - t0;
        fusedSequence++;
        rawBytes += c.rawBytes();
        wireBytes += c.wireBytes();
        int grant = sharerCredits.onConsumed();
        if (grant > 0) {
            grantedToSharer.addAndGet(grant);
            sharer.onNext(ShareRequest.newBuilder().setCredit(Credit.newBuilder().setChunks(grant)).build());
        }
    }

    /** The sharer model a pass-through forwards, pinned by the caller or by the first chunk. */
    private static final class PassThrough {
        private String expectedModelId;
        private int kvHeads;
        private int headSize;

        PassThrough(String expectedModelId) {
            this.expectedModelId = expectedModelId;
        }

        void requireSameGeometry(KvChunks.Checked c) {
            if (kvHeads == 0) {
                expectedModelId = c.modelId();
                kvHeads = c.shape().kvHeads();
                headSize = c.shape().headSize();
            } else if (c.shape().kvHeads() != kvHeads || c.shape().headSize() != headSize) {
                throw new WireException(WireException.Kind.MALFORMED, "chunk has " + c.shape().kvHeads()
                        + " heads of " + c.shape().headSize() + ", earlier chunks of " + expectedModelId + " had "
                        + kvHeads + " of " + headSize);
            }
        }
    }

    /** Fuses and sends whatever is ready, waiting for the receiver's credits. */
    private void sendReady() throws InterruptedException {
        long t0 = System.nanoTime();
        var ready = fusion.poll();
        fuseNs += System.nanoTime() - t0;
        for (FuserEngine.Fused f : ready) {
            long t1 = System.nanoTime();
            KvChunk out = KvChunks.encode(fusion.receiver(), f.shape(), f.values(), codec, fusedSequence++);
            long t2 = System.nanoTime();
            encodeNs += t2 - t1;
            if (!writer.sendChunk(FuseResponse.newBuilder().setChunk(out).build(),
                    deadline.timeRemaining(TimeUnit.NANOSECONDS), TimeUnit.NANOSECONDS)) {
                if (!writer.isFinished()) {
                    fail(Status.DEADLINE_EXCEEDED.withDescription("receiver granted no credit before the deadline"));
                }
                return;
            }
            transferNs += System.nanoTime() - t2;
            rawBytes += f.values().length * (long) Float.BYTES;
            wireBytes += out.getPayload().size();
            int grant = receiverCredits.onConsumed();
            if (grant > 0) {
                grantedToReceiver.addAndGet(grant);
                writer.sendControl(FuseResponse.newBuilder().setCredit(Credit.newBuilder().setChunks(grant)).build());
            }
        }
    }

    private boolean isDone() {
        return !writer.isFinished() && (fusion != null || passThrough != null) && receiverEnded
                && sharerSummary != null && (fusion == null || fusion.pending() == 0);
    }

    private void finish() {
        writer.sendControl(FuseResponse.newBuilder().setSummary(FuseSummary.newBuilder()
                .setFused(TransferSummary.newBuilder()
                        .setTokens(fusion != null ? fusion.receiverTokens() : sharerSummary.getTokens())
                        .setChunks((int) fusedSequence)
                        .setRawBytes(rawBytes)
                        .setWireBytes(wireBytes)
                        .setLayers(fusion != null ? fusion.fusedLayers().size() : sharerSummary.getLayers())
                        .setTimings(StageTimings.newBuilder()
                                .setFuseUs(fuseNs / 1000)
                                .setEncodeUs(encodeNs / 1000)
                                .setTransferUs(transferNs / 1000)))
                .setSharer(sharerSummary)
                .setLayersFused(fusion != null ? fusion.fusedLayers().size() : 0)).build());
        writer.complete();
        call.end(InflightTracker.Outcome.COMPLETED);
    }

    private void syncHeldBytes() {
        long now = fusion == null || call.isEnded() ? 0 : fusion.bytesHeld();
        if (now > accountedBytes) {
            call.hold(now - accountedBytes);
        } else {
            call.release(accountedBytes - now);
        }
        accountedBytes = now;
    }
}
