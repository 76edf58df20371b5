package io.latentlink.core.wire;

/**
 * Consumer side of credit flow control: grants a window of chunks up front, re-grants in batches as chunks are
 * consumed (not merely received), and rejects a peer that sends beyond what it was granted. Not thread-safe: call it
 * from the one place that handles the stream's inbound messages.
 */
public final class ConsumerCredits {

    private final int window;
    private final int batch;
    private long granted;
    private long received;
    private int consumedSinceGrant;

    public ConsumerCredits(int window) {
        if (window <= 0) {
            throw new IllegalArgumentException("credit window must be positive: " + window);
        }
        this.window = window;
        this.batch = Math.max(1, window / 2);
    }

    /** Credits to grant when the stream opens. */
    public int initialGrant() {
        granted += window;
        return window;
    }

    /** Records an arriving chunk; throws if the producer overran its credits. */
    public void onReceived() {
        received++;
        if (received > granted) {
            throw new WireException(WireException.Kind.PROTOCOL,
                    "peer sent chunk " + received + " with only " + granted + " credits granted");
        }
    }

    /** Records that a chunk has been processed and its buffer released; returns credits to grant now (maybe 0). */
    public int onConsumed() {
        consumedSinceGrant++;
        if (consumedSinceGrant < batch) {
            return 0;
        }
        int n = consumedSinceGrant;
        consumedSinceGrant = 0;
        granted += n;
        return n;
    }

    public int window() {
        return window;
    }

    /** Chunks received but not yet consumed or still creditable: at most {@link #window()}. */
    public long outstanding() {
        return granted - received;
    }
}
