package io.latentlink.core.wire;

/** Checks that chunk sequence numbers on one stream direction run 0, 1, 2, ... without gaps or repeats. */
public final class SequenceTracker {

    private long next;

    public void accept(long sequence) {
        if (sequence != next) {
            throw new WireException(WireException.Kind.OUT_OF_ORDER,
                    "expected chunk sequence " + next + ", got " + sequence);
        }
        next++;
    }

    public long next() {
        return next;
    }
}
