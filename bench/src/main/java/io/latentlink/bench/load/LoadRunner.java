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
import java.util.function.LongFunction;

/**
 * Closed-loop workers (one call in flight each) sharing a request budget or a deadline and, optionally, a rate. Every
 * loop is bounded: by {@code total} requests, or by the duration (calls in flight then finish under their deadline).
 */
public final class LoadRunner {
    private final Channel channel;
    private final MethodDescriptor<Message, Message> method;
    private final LongFunction<Message> requests;
    private final LoadOptions options;

    public LoadRunner(Channel channel, MethodDescriptor<Message, Message> method, Message request, LoadOptions options) {
        this(channel, method, i -> request, options);
    }

    /** @param requests the request to send as the i-th call (0, 1, 2, ... in the order the workers start them) */
    public LoadRunner(Channel channel, MethodDescriptor<Message, Message> method, LongFunction<Message> requests,
                      LoadOptions options) {
        this.channel = channel;
        this.method = method;
        this.requests = requests;
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
                    long index = issued.getAndIncrement();
                    if (duration == null ? index >= options.total() : System.nanoTime() - deadline >= 0) {
                        return;
                    }
                    if (!limiter.acquire(deadline)) {
                        return;
                    }
                    callOnce(stats, requests.apply(index));
                }
            }));
        }
        for (Thread t : workers) {
            t.join();
        }
        return new Result(stats, System.nanoTime() - start);
    }

    private void callOnce(LoadStats stats, Message request) {
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
