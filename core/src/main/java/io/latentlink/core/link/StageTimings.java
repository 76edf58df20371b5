package io.latentlink.core.link;

/**
 * Wall time per stage, in nanoseconds. {@code sharer} is the sharer's own work: its prefill in C2C, its sentence in
 * TEXT. {@code decode} includes the receiver's last prompt token and every generated token.
 */
public record StageTimings(long tokenizeNanos, long sharerNanos, long prefillNanos, long fuseNanos, long decodeNanos,
                          long totalNanos) {

    public double totalMillis() {
        return totalNanos / 1e6;
    }
}
