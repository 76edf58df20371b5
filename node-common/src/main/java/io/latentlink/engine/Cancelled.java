package io.latentlink.engine;

/** Thrown by engines that noticed their caller gave up (client cancel, deadline). */
public final class Cancelled extends RuntimeException {
    public Cancelled(String message) {
        super(message, null, false, false);
    }
}
