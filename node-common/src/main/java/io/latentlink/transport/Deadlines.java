package io.latentlink.transport;

import io.grpc.Context;
import io.grpc.Deadline;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The deadline a call works under: the caller's gRPC deadline, else one from the request, else the node default. */
public final class Deadlines {

    private Deadlines() {
    }

    public static Deadline effective(long requestedMillis, Duration nodeDefault) {
        Deadline fromCaller = Context.current().getDeadline();
        if (fromCaller != null) {
            return fromCaller;
        }
        long ms = requestedMillis > 0 ? requestedMillis : nodeDefault.toMillis();
        return Deadline.after(ms, TimeUnit.MILLISECONDS);
    }
}
