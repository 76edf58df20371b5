package io.latentlink.bench.report;

/** A results file that exists but does not say what its schema (bench/results/*.json) promises. */
public final class MalformedResultException extends RuntimeException {
    public MalformedResultException(String message) {
        super(message);
    }

    public MalformedResultException(String message, Throwable cause) {
        super(message, cause);
    }
}
