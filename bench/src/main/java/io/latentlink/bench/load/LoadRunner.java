package io.latentlink.bench.load;

import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed-loop workers (one call in flight each) sharing a request budget or a deadline and, optionally, a rate. Every
 * loop is bounded: by {@code total} requests, or by the duration (calls in flight then finish under their deadline).
 */
public final class LoadRunner {
    private final Channel channel;
    private final MethodDescriptor<Message, Message> method;
    private final Message request;
    private final LoadOptions options;

    public LoadRunner(Channel channel, MethodDescriptor<Message, Message> method, Message request, LoadOptions options) {
        this.channel = channel;
        this.method = method;
        this.request = request;
        this.options = options;
    }

    /** What a run produced: the stats and its wall time. */
    public record Result(LoadStats stats, long wallNanos) {
    }

    public Result run() throws InterruptedException {
        LoadStats stats = new LoadStats();
        long start = System.nanoTime();
        Duration duration = options.duration();
        long deadline = duration == null ? Long.MAX_VALUE : start + duration.toNanos();
        RateLimiter limiter = new RateLimiter(options.rps(), start, System::nanoTime);
        AtomicLong issued = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < options.concurrency(); w++) {
            workers.add(Thread.ofPlatform().name("load-" + w).daemon().start(() -> {
                while (true) {
                    if (duration == null ? issued.getAndIncrement() >= options.total() : System.nanoTime() - deadline >= 0) {
                        return;
                    }
                    if (!limiter.acquire(deadline)) {
                        return;
                    }
                    callOnce(stats);
                }
            }));
        }
        for (Thread t : workers) {
            t.join();
        }
        return new Result(stats, System.nanoTime() - start);
    }

    private void callOnce(LoadStats stats) {
        CallOptions call = CallOptions.DEFAULT.withDeadlineAfter(options.timeout().toNanos(), TimeUnit.NANOSECONDS);
        long t0 = System.nanoTime();
        long first = -1;
        long messages = 0;
        Status status = Status.OK;
        try {
            if (method.getType() == MethodDescriptor.MethodType.UNARY) {
                ClientCalls.blockingUnaryCall(channel, method, call, request);
                first = System.nanoTime() - t0;
                messages = 1;
            } else {
                Iterator<Message> it = ClientCalls.blockingServerStreamingCall(channel, method, call, request);
                while (it.hasNext()) {
                    it.next();
                    if (messages++ == 0) {
                        first = System.nanoTime() - t0;
                    }
                }
            }
        } catch (StatusRuntimeException e) {
            status = e.getStatus();
        } catch (RuntimeException e) {
            status = Status.UNKNOWN.withDescription(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        stats.record(System.nanoTime() - t0, first, messages, status);
    }
}
