package io.latentlink.bench;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.latentlink.proto.v1.GenerateRequest;
import io.latentlink.proto.v1.GenerateResponse;
import io.latentlink.proto.v1.GenerateStats;
import io.latentlink.proto.v1.ReceiverGrpc;

import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * One Receiver.Generate call timed from the client's side: end-to-end latency, time to the first token, and the
 * stats message (or the failure). The benchmarks map this onto their own samples.
 */
public final class TimedGenerate {

    /**
     * @param stats the call's GenerateStats; null when the call failed or the stream ended without one
     * @param error the failed call's status; null when the stream completed
     */
    public record Timed(double latencyMs, double firstTokenMs, GenerateStats stats, Status error) {
    }

    private TimedGenerate() {
    }

    public static Timed call(ReceiverGrpc.ReceiverBlockingStub stub, GenerateRequest request, long deadlineSeconds) {
        long start = System.nanoTime();
        double firstToken = Double.NaN;
        try {
            Iterator<GenerateResponse> it = stub.withDeadlineAfter(deadlineSeconds, TimeUnit.SECONDS).generate(request);
            GenerateStats stats = null;
            while (it.hasNext()) {
                GenerateResponse r = it.next();
                if (r.hasToken() && Double.isNaN(firstToken)) {
                    firstToken = (System.nanoTime() - start) / 1e6;
                } else if (r.hasStats()) {
                    stats = r.getStats();
                }
            }
            return new Timed((System.nanoTime() - start) / 1e6, firstToken, stats, null);
        } catch (StatusRuntimeException e) {
            return new Timed((System.nanoTime() - start) / 1e6, Double.NaN, null, e.getStatus());
        }
    }
}
