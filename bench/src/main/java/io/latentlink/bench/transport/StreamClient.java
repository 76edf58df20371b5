package io.latentlink.bench.transport;

import io.grpc.Channel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.latentlink.core.codec.CodecRegistry;
import io.latentlink.core.codec.CodecSpec;
import io.latentlink.core.codec.KvBlockShape;
import io.latentlink.core.codec.KvCodec;
import io.latentlink.core.wire.ConsumerCredits;
import io.latentlink.core.wire.Crc32c;
import io.latentlink.core.wire.KvSliceShape;
import io.latentlink.core.wire.SequenceTracker;
import io.latentlink.proto.v1.Credit;
import io.latentlink.proto.v1.FuseEnd;
import io.latentlink.proto.v1.FuseRequest;
import io.latentlink.proto.v1.FuseResponse;
import io.latentlink.proto.v1.FuseStart;
import io.latentlink.proto.v1.KvChunk;
import io.latentlink.proto.v1.KvChunkHeader;
import io.latentlink.proto.v1.ProjectorGrpc;
import io.latentlink.proto.v1.SenderGrpc;
import io.latentlink.proto.v1.ShareRequest;
import io.latentlink.proto.v1.ShareResponse;
import io.latentlink.proto.v1.ShareStart;
import io.latentlink.proto.v1.TransferSummary;
import io.latentlink.transport.PayloadCodecs;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The receiving end of one KV stream, as a receiver would be: grants credits as it consumes chunks, checks sequence
 * and CRC32C, and decodes every payload into one reusable buffer. One-hop reads {@code Sender.Share}; two-hop reads
 * {@code Projector.Fuse} with the pass-through fuser id in front of the same sender.
 */
final class StreamClient {

    /** What one stream delivered and how long it took, from the start message to the summary. */
    record Result(long nanos, long chunks, long rawBytes, long wireBytes, long decodeNanos, TransferSummary sharer,
            TransferSummary forwarded) {
    }

    private static final CodecRegistry CODECS = CodecRegistry.standard();

    private final ConsumerCredits credits;
    private final SequenceTracker sequences = new SequenceTracker();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private KvCodec codec;
    private float[] buffer = new float[0];
    private long chunks;
    private long rawBytes;
    private long wireBytes;
    private long decodeNanos;

    private StreamClient(int creditWindow) {
        this.credits = new ConsumerCredits(creditWindow);
    }

    static Result oneHop(Channel sender, String prompt, CodecSpec codec, int chunkTokens, int creditWindow,
            long timeoutSeconds) throws Exception {
        StreamClient c = new StreamClient(creditWindow);
        TransferSummary[] summary = new TransferSummary[1];
        ClientCallStreamObserver<ShareRequest>[] out = new ClientCallStreamObserver[1];
        long t0 = System.nanoTime();
        SenderGrpc.newStub(sender).withDeadlineAfter(timeoutSeconds, TimeUnit.SECONDS).share(
                new ClientResponseObserver<ShareRequest, ShareResponse>() {
                    public void beforeStart(ClientCallStreamObserver<ShareRequest> requests) {
                        out[0] = requests;
                    }

                    public void onNext(ShareResponse r) {
                        if (r.hasSummary()) {
                            summary[0] = r.getSummary();
                            return;
                        }
                        int grant = c.consume(r.getChunk());
                        if (grant > 0) {
                            out[0].onNext(ShareRequest.newBuilder()
                                    .setCredit(Credit.newBuilder().setChunks(grant)).build());
                        }
                    }

                    public void onError(Throwable t) {
                        c.done.completeExceptionally(t);
                    }

                    public void onCompleted() {
                        out[0].onCompleted();
                        c.done.complete(null);
                    }
                });
        out[0].onNext(ShareRequest.newBuilder().setStart(ShareStart.newBuilder().setPrompt(prompt)
                .setCodecId(codec.id()).putAllCodecParams(codec.params()).setChunkTokens(chunkTokens)
                .setInitialCredits(c.credits.initialGrant())).build());
        c.done.get(timeoutSeconds, TimeUnit.SECONDS);
        long nanos = System.nanoTime() - t0;
        return c.result(nanos, summary[0], null);
    }

    static Result twoHop(Channel projector, String senderEndpoint, String sharerModelId, String prompt,
            CodecSpec codec, int chunkTokens, int creditWindow, long timeoutSeconds) throws Exception {
        StreamClient c = new StreamClient(creditWindow);
        FuseResponse[] summary = new FuseResponse[1];
        ClientCallStreamObserver<FuseRequest>[] out = new ClientCallStreamObserver[1];
        long t0 = System.nanoTime();
        ProjectorGrpc.newStub(projector).withDeadlineAfter(timeoutSeconds, TimeUnit.SECONDS).fuse(
                new ClientResponseObserver<FuseRequest, FuseResponse>() {
                    public void beforeStart(ClientCallStreamObserver<FuseRequest> requests) {
                        out[0] = requests;
                    }

                    public void onNext(FuseResponse r) {
                        switch (r.getKindCase()) {
                            case PLAN -> {
                                if (r.getPlan().getReceiverLayersCount() != 0) {
                                    throw new IllegalStateException("pass-through asked for receiver layers");
                                }
                                // Nothing of ours to fuse: end our half at once.
                                out[0].onNext(FuseRequest.newBuilder().setEnd(FuseEnd.getDefaultInstance()).build());
                            }
                            case CHUNK -> {
                                int grant = c.consume(r.getChunk());
                                if (grant > 0) {
                                    out[0].onNext(FuseRequest.newBuilder()
                                            .setCredit(Credit.newBuilder().setChunks(grant)).build());
                                }
                            }
                            case SUMMARY -> summary[0] = r;
                            default -> {
                            }
                        }
                    }

                    public void onError(Throwable t) {
                        c.done.completeExceptionally(t);
                    }

                    public void onCompleted() {
                        out[0].onCompleted();
                        c.done.complete(null);
                    }
                });
        out[0].onNext(FuseRequest.newBuilder().setStart(FuseStart.newBuilder().setSharerEndpoint(senderEndpoint)
                .setFuserId("passthrough").setPrompt(prompt).setCodecId(codec.id())
                .putAllCodecParams(codec.params()).setChunkTokens(chunkTokens)
                .setInitialCredits(c.credits.initialGrant()).setReceiverModelId(sharerModelId)).build());
        c.done.get(timeoutSeconds, TimeUnit.SECONDS);
        long nanos = System.nanoTime() - t0;
        FuseResponse s = summary[0];
        return c.result(nanos, s == null ? null : s.getSummary().getSharer(),
                s == null ? null : s.getSummary().getFused());
    }

    private Result result(long nanos, TransferSummary sharer, TransferSummary forwarded) {
        if (sharer == null) {
            throw new IllegalStateException("stream ended without a summary");
        }
        if (sharer.getChunks() != chunks || sharer.getWireBytes() != wireBytes || sharer.getRawBytes() != rawBytes) {
            throw new IllegalStateException("received " + chunks + " chunks, " + wireBytes + " wire bytes, "
                    + rawBytes + " raw bytes; the sender says " + sharer.getChunks() + ", " + sharer.getWireBytes()
                    + ", " + sharer.getRawBytes());
        }
        return new Result(nanos, chunks, rawBytes, wireBytes, decodeNanos, sharer, forwarded);
    }

    /** Checks and decodes one chunk; returns the credits to grant back. Runs on the call's gRPC thread. */
    private int consume(KvChunk chunk) {
        credits.onReceived();
        long t0 = System.nanoTime();
        KvChunkHeader h = chunk.getHeader();
        sequences.accept(h.getSequence());
        KvSliceShape shape = KvSliceShape.fromDims(h.getShapeList().stream().mapToInt(Integer::intValue).toArray(),
                h.getLayers().getStart(), h.getLayers().getEnd(), h.getTokens().getStart(), h.getTokens().getEnd());
        ByteBuffer payload = chunk.getPayload().asReadOnlyByteBuffer();
        Crc32c.verify(payload, h.getCrc32C());
        KvCodec kc = codec(h);
        if (!kc.fixedSize()) {
            // Entropy-coded payloads are framed per chunk side; PayloadCodec knows the framing (and allocates).
            PayloadCodecs.lookup(h.getCodecId(), h.getCodecParamsMap()).decode(payload, shape);
            return consumed(chunk, shape, t0);
        }
        KvBlockShape block = new KvBlockShape(shape.kvHeads(), shape.tokens(), shape.headSize());
        int blockBytes = kc.encodedSize(block);
        if ((long) blockBytes * 2 * shape.layers() != payload.remaining()) {
            throw new IllegalStateException("payload of " + payload.remaining() + " B does not fit " + shape);
        }
        if (buffer.length < block.elements()) {
            buffer = new float[block.elements()];
        }
        FloatBuffer dst = FloatBuffer.wrap(buffer);
        int base = payload.position();
        for (int b = 0; b < 2 * shape.layers(); b++) {
            // A receiver writes each block into its cache; the benchmark overwrites one block-sized buffer.
            kc.decode(payload.duplicate().position(base + b * blockBytes).limit(base + (b + 1) * blockBytes), block,
                    dst);
        }
        return consumed(chunk, shape, t0);
    }

    private int consumed(KvChunk chunk, KvSliceShape shape, long t0) {
        decodeNanos += System.nanoTime() - t0;
        chunks++;
        rawBytes += (long) shape.elements() * Float.BYTES;
        wireBytes += chunk.getPayload().size();
        return credits.onConsumed();
    }

    private KvCodec codec(KvChunkHeader h) {
        if (codec == null || !codec.id().equals(h.getCodecId())
                || !codec.spec().params().equals(h.getCodecParamsMap())) {
            codec = CODECS.get(new CodecSpec(h.getCodecId(), Map.copyOf(h.getCodecParamsMap())));
        }
        return codec;
    }
}
