package io.latentlink.transport;

import io.grpc.Context;
import io.grpc.Deadline;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The deadline a call works under: the earlier of the caller's gRPC deadline and the request's own, else the node
 * default.
 */
public final class Deadlines {

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("latentlink-deadlines").factory());

    private Deadlines() {
    }

    /**
     * The current call's context, with the effective deadline attached so that outgoing calls made inside it
     * inherit the deadline even when the caller sent none. Cancel it when the call ends, to free its timer.
     */
    public static Context.CancellableContext attach(Deadline deadline) {
        return Context.current().withDeadline(deadline, TIMER);
    }

    public static Deadline effective(long requestedMillis, Duration nodeDefault) {
        Deadline fromCaller = Context.current().getDeadline();
        Deadline fromRequest = requestedMillis > 0 ? Deadline.after(requestedMillis, TimeUnit.MILLISECONDS) : null;
        if (fromCaller != null) {
            return fromRequest == null ? fromCaller : fromCaller.minimum(fromRequest);
        }
        return fromRequest != null ? fromRequest : Deadline.after(nodeDefault.toMillis(), TimeUnit.MILLISECONDS);
    }
}
