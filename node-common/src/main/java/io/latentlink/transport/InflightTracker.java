package io.latentlink.transport;

import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the calls a node is serving and the KV bytes they hold in buffers. Every call ends exactly once, and
 * ending releases whatever it still held, so after cancellation both gauges return to zero; tests and operators
 * read them through Node.Status.
 */
@Singleton
public class InflightTracker {

    public enum Outcome { COMPLETED, CANCELLED, FAILED }

    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong peakBytes = new AtomicLong();
    private final AtomicLong started = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile String modelId = "";

    public Call begin() {
        started.incrementAndGet();
        calls.incrementAndGet();
        return new Call();
    }

    public void describeModel(String modelId) {
        this.modelId = modelId == null ? "" : modelId;
    }

    public String modelId() {
        return modelId;
    }

    public int inflightCalls() {
        return calls.get();
    }

    public long inflightBytes() {
        return bytes.get();
    }

    public long peakInflightBytes() {
        return peakBytes.get();
    }

    /** Starts a new peak measurement from the bytes held now. */
    public void resetPeak() {
        peakBytes.set(bytes.get());
    }

    public long started() {
        return started.get();
    }

    public long completed() {
        return completed.get();
    }

    public long cancelled() {
        return cancelled.get();
    }

    public long failed() {
        return failed.get();
    }

    /** One call's share of the gauges. */
    public final class Call {
        private final AtomicLong held = new AtomicLong();
        private final AtomicInteger ended = new AtomicInteger();

        public void hold(long n) {
            if (ended.get() != 0) {
                return;
            }
            held.addAndGet(n);
            peakBytes.accumulateAndGet(bytes.addAndGet(n), Math::max);
        }

        public void release(long n) {
            // Never release more than this call holds: a late release after end() must not drive the gauge below 0.
            long taken = held.getAndUpdate(h -> Math.max(0, h - n));
            bytes.addAndGet(-Math.min(taken, n));
        }

        public long held() {
            return held.get();
        }

        /** Ends the call (first outcome wins) and releases everything it still holds. */
        public void end(Outcome outcome) {
            if (!ended.compareAndSet(0, 1)) {
                return;
            }
            bytes.addAndGet(-held.getAndSet(0));
            calls.decrementAndGet();
            switch (outcome) {
                case COMPLETED -> completed.incrementAndGet();
                case CANCELLED -> cancelled.incrementAndGet();
                case FAILED -> failed.incrementAndGet();
            }
        }

        public boolean isEnded() {
            return ended.get() != 0;
        }
    }
}
