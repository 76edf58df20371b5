package io.latentlink.it;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.latentlink.proto.v1.FuseRequest;
import io.latentlink.proto.v1.FuseResponse;
import io.latentlink.proto.v1.FuseStart;
import io.latentlink.proto.v1.KvChunk;
import io.latentlink.proto.v1.ProjectorGrpc;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A hand-driven Fuse client: the test plays the receiver and can send anything, well-formed or not. */
final class FuseProbe implements ClientResponseObserver<FuseRequest, FuseResponse> {

    final LinkedBlockingQueue<FuseResponse> responses = new LinkedBlockingQueue<>();
    final CompletableFuture<Status> end = new CompletableFuture<>();
    private ClientCallStreamObserver<FuseRequest> requests;

    static FuseProbe open(Channel channel, FuseStart start) {
        FuseProbe p = new FuseProbe();
        ProjectorGrpc.newStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS).fuse(p);
        p.requests.onNext(FuseRequest.newBuilder().setStart(start).build());
        return p;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<FuseRequest> requests) {
        this.requests = requests;
    }

    @Override
    public void onNext(FuseResponse r) {
        responses.add(r);
    }

    @Override
    public void onError(Throwable t) {
        end.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
        end.complete(Status.OK);
    }

    /** Waits for the next response of the given kind, skipping others. */
    FuseResponse next(FuseResponse.KindCase kind) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < until) {
            FuseResponse r = responses.poll(100, TimeUnit.MILLISECONDS);
            if (r != null && r.getKindCase() == kind) {
                return r;
            }
            if (r == null && end.isDone()) {
                throw new AssertionError("stream ended with " + end.join() + " while waiting for " + kind);
            }
        }
        throw new AssertionError("no " + kind + " within 30 s");
    }

    void credit(int chunks) {
        requests.onNext(FuseRequest.newBuilder().setCredit(io.latentlink.proto.v1.Credit.newBuilder()
                .setChunks(chunks)).build());
    }

    void end() {
        requests.onNext(FuseRequest.newBuilder().setEnd(io.latentlink.proto.v1.FuseEnd.getDefaultInstance()).build());
    }

    void send(KvChunk chunk) {
        requests.onNext(FuseRequest.newBuilder().setChunk(chunk).build());
    }

    Status awaitEnd() throws Exception {
        return end.get(30, TimeUnit.SECONDS);
    }
}
