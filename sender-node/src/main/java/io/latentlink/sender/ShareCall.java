package io.latentlink.sender;

import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.latentlink.core.wire.ChunkPlanner;
import io.latentlink.core.wire.KvBlock;
import io.latentlink.core.wire.KvGeometry;
import io.latentlink.core.wire.KvSliceShape;
import io.latentlink.core.wire.WireException;
import io.latentlink.engine.Cancelled;
import io.latentlink.proto.v1.KvChunk;
import io.latentlink.proto.v1.ShareRequest;
import io.latentlink.proto.v1.ShareResponse;
import io.latentlink.proto.v1.ShareStart;
import io.latentlink.proto.v1.StageTimings;
import io.latentlink.proto.v1.TransferSummary;
import io.latentlink.transport.ComputeExecutor;
import io.latentlink.transport.CreditedWriter;
import io.latentlink.transport.Deadlines;
import io.latentlink.transport.InflightTracker;
import io.latentlink.transport.KvChunks;
import io.latentlink.transport.PayloadCodec;
import io.latentlink.transport.PayloadCodecs;
import io.latentlink.transport.Statuses;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * One Share stream. Inbound: a start, then credits (handled on the gRPC thread). Outbound: a worker prefills the
 * prompt step by step and sends each step's chunks as credits allow, so a slow consumer stalls the prefill instead
 * of piling up chunks. Cancellation (client cancel, deadline) closes the writer, which stops the worker at its next
 * send, and ends the call in the tracker, which releases its bytes.
 */
final class ShareCall implements StreamObserver<ShareRequest> {

    private final SharerEngine engine;
    private final ShareSettings settings;
    private final CreditedWriter<ShareResponse> writer;
    private final InflightTracker.Call call;
    private final ComputeExecutor executor;
    private boolean started;

    ShareCall(SharerEngine engine, ShareSettings settings, CreditedWriter<ShareResponse> writer,
            InflightTracker.Call call, ComputeExecutor executor) {
        this.engine = engine;
        this.settings = settings;
        this.writer = writer;
        this.call = call;
        this.executor = executor;
    }

    @Override
    public void onNext(ShareRequest request) {
        try {
            switch (request.getKindCase()) {
                case START -> {
                    if (started) {
                        throw new WireException(WireException.Kind.PROTOCOL, "second start on one Share stream");
                    }
                    started = true;
                    Plan plan = plan(request.getStart());
                    Deadline deadline = Deadlines.effective(0, settings.defaultDeadline());
                    executor.submit(() -> produce(plan, deadline));
                }
                case CREDIT -> {
                    if (!started) {
                        throw new WireException(WireException.Kind.PROTOCOL, "credit before start");
                    }
                    writer.grant(request.getCredit().getChunks());
                }
                default -> throw new WireException(WireException.Kind.MALFORMED, "empty ShareRequest");
            }
        } catch (RuntimeException e) {
            fail(Statuses.of(e));
        }
    }

    @Override
    public void onError(Throwable t) {
        cancel();
    }

    @Override
    public void onCompleted() {
        // The consumer may half-close after its last credit; chunks keep flowing while credits last.
    }

    void cancel() {
        writer.abandon();
        call.end(InflightTracker.Outcome.CANCELLED);
    }

    private void fail(Status status) {
        writer.fail(status);
        call.end(InflightTracker.Outcome.FAILED);
    }

    private record Plan(String prompt, PayloadCodec codec, int chunkTokens, List<Integer> layers) {
    }

    private Plan plan(ShareStart start) {
        if (start.getPrompt().isEmpty()) {
            throw new IllegalArgumentException("prompt is empty");
        }
        KvGeometry g = engine.geometry();
        if (!start.getExpectedModelId().isEmpty() && !start.getExpectedModelId().equals(g.modelId())) {
            throw new WireException(WireException.Kind.UNKNOWN_MODEL, "this sender hosts '" + g.modelId()
                    + "', not '" + start.getExpectedModelId() + "'");
        }
        String codecId = start.getCodecId().isEmpty() ? settings.defaultCodec() : start.getCodecId();
        PayloadCodec codec = PayloadCodecs.lookup(codecId, start.getCodecParamsMap());
        int chunkTokens = start.getChunkTokens() == 0 ? settings.chunkTokens() : start.getChunkTokens();
        List<Integer> layers = start.getLayersCount() == 0
                ? IntStream.range(0, g.layers()).boxed().toList()
                : start.getLayersList().stream().sorted().distinct().toList();
        for (int l : layers) {
            if (l >= g.layers()) {
                throw new WireException(WireException.Kind.MALFORMED,
                        "layer " + l + " requested, model " + g.modelId() + " has " + g.layers());
            }
        }
        if (start.getInitialCredits() > 0) {
            writer.grant(start.getInitialCredits());
        }
        return new Plan(start.getPrompt(), codec, chunkTokens, layers);
    }

    private void produce(Plan plan, Deadline deadline) {
        KvGeometry g = engine.geometry();
        ChunkPlanner planner = new ChunkPlanner(settings.maxChunkBytes());
        long prefillNs = 0, encodeNs = 0, transferNs = 0, raw = 0, wire = 0, seq = 0;
        try (SharerEngine.Prefill prefill = engine.open(plan.prompt())) {
            while (!writer.isFinished()) {
                long t0 = System.nanoTime();
                KvBlock block = prefill.next(plan.chunkTokens());
                prefillNs += System.nanoTime() - t0;
                if (block == null) {
                    break;
                }
                call.hold(block.bytes());
                try {
                    for (KvSliceShape shape : planner.plan(plan.layers(), block.tokenStart(), block.tokenEnd(),
                            g.kvHeads(), g.headSize(), plan.codec().bytesPerElement(g.kvHeads(), g.headSize()))) {
                        long t1 = System.nanoTime();
                        KvChunk chunk = KvChunks.encode(g, shape, block, plan.codec(), seq++);
                        long t2 = System.nanoTime();
                        encodeNs += t2 - t1;
                        long size = chunk.getPayload().size();
                        call.hold(size);
                        boolean sent = writer.sendChunk(ShareResponse.newBuilder().setChunk(chunk).build(),
                                deadline.timeRemaining(TimeUnit.NANOSECONDS), TimeUnit.NANOSECONDS);
                        call.release(size);
                        transferNs += System.nanoTime() - t2;
                        if (!sent) {
                            if (!writer.isFinished()) {
                                fail(Status.DEADLINE_EXCEEDED.withDescription(
                                        "consumer granted no credit before the deadline"));
                            }
                            return;
                        }
                        raw += shape.elements() * (long) Float.BYTES;
                        wire += size;
                    }
                } finally {
                    call.release(block.bytes());
                }
            }
            if (writer.isFinished()) {
                return;
            }
            writer.sendControl(ShareResponse.newBuilder().setSummary(TransferSummary.newBuilder()
                    .setTokens(prefill.promptTokens())
                    .setChunks((int) seq)
                    .setRawBytes(raw)
                    .setWireBytes(wire)
                    .setLayers(plan.layers().size())
                    .setTimings(StageTimings.newBuilder()
                            .setTokenizeUs(prefill.tokenizeNanos() / 1000)
                            .setPrefillUs(prefillNs / 1000)
                            .setEncodeUs(encodeNs / 1000)
                            .setTransferUs(transferNs / 1000)))
                    .build());
            writer.complete();
            call.end(InflightTracker.Outcome.COMPLETED);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel();
        } catch (Cancelled e) {
            cancel();
        } catch (RuntimeException e) {
            fail(Statuses.of(e));
        }
    }
}
