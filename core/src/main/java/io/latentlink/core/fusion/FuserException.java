package io.latentlink.core.fusion;

/** A fuser that cannot be loaded or applied: bad manifest, wrong models, wrong shapes. */
public class FuserException extends RuntimeException {
    public FuserException(String message) {
        super(message);
    }

    public FuserException(String message, Throwable cause) {
        super(message, cause);
    }
}
