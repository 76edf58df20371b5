package io.latentlink.transport;

import io.grpc.Context;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Runs per-call work (prefill, fusion, decoding, waiting for credits) off the gRPC event loop. Each task runs
 * inside the gRPC Context of the call that started it, so outgoing calls it makes inherit that call's deadline and
 * are cancelled with it: this is how deadlines and cancellation propagate from node to node.
 */
@Singleton
public class ComputeExecutor {

    // Platform threads, not virtual ones: calls spend their time in ONNX Runtime's native code, which would pin a
    // virtual thread's carrier anyway.
    private final ExecutorService executor = Executors.newCachedThreadPool(
            Thread.ofPlatform().name("latentlink-call-", 0).daemon().factory());

    public void submit(Runnable task) {
        submit(Context.current(), task);
    }

    /** Runs the task inside {@code context}, e.g. the call's context narrowed to the node's default deadline. */
    public void submit(Context context, Runnable task) {
        executor.execute(context.wrap(task));
    }

    @PreDestroy
    void shutdown() {
        executor.shutdownNow();
    }
}
