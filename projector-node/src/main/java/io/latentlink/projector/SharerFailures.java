package io.latentlink.projector;

import io.grpc.Status;

/**
 * What the receiver is told when the sharer leg breaks: UNAVAILABLE if the sender cannot be reached or went away,
 * the sender's own code if it refused the request, ABORTED with the reason for anything else mid-stream.
 */
final class SharerFailures {

    private SharerFailures() {
    }

    static Status of(Status sharer, String endpoint) {
        String why = "sharer " + endpoint + ": " + sharer.getCode()
                + (sharer.getDescription() == null ? "" : " " + sharer.getDescription());
        return switch (sharer.getCode()) {
            case UNAVAILABLE -> Status.UNAVAILABLE.withDescription(why);
            case DEADLINE_EXCEEDED -> Status.DEADLINE_EXCEEDED.withDescription(why);
            case INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION -> sharer.withDescription(why);
            default -> Status.ABORTED.withDescription(why);
        };
    }
}
