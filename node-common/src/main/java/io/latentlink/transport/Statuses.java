package io.latentlink.transport;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.latentlink.core.wire.WireException;

/** Maps failures to the gRPC status a client sees. Unknown failures become INTERNAL with their message. */
public final class Statuses {

    private Statuses() {
    }

    public static Status of(Throwable t) {
        if (t instanceof StatusRuntimeException e) {
            return e.getStatus();
        }
        if (t instanceof StatusException e) {
            return e.getStatus();
        }
        if (t instanceof WireException e) {
            Status base = switch (e.kind()) {
                case CORRUPT -> Status.DATA_LOSS;
                case UNKNOWN_MODEL -> Status.NOT_FOUND;
                case MALFORMED, UNSUPPORTED_CODEC, OUT_OF_ORDER, TOO_LARGE, PROTOCOL -> Status.INVALID_ARGUMENT;
            };
            return base.withDescription(e.kind() + ": " + e.getMessage());
        }
        if (t instanceof IllegalArgumentException) {
            return Status.INVALID_ARGUMENT.withDescription(t.getMessage());
        }
        if (t instanceof InterruptedException) {
            return Status.CANCELLED.withDescription("interrupted");
        }
        return Status.INTERNAL.withDescription(t.getClass().getSimpleName() + ": " + t.getMessage()).withCause(t);
    }

    public static StatusRuntimeException exception(Throwable t) {
        return of(t).asRuntimeException();
    }
}
