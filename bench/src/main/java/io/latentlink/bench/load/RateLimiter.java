package io.latentlink.bench.load;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Spaces request starts evenly at a fixed rate shared by all workers: permit k may start at {@code start + k / rps}.
 * A fixed schedule, not a token bucket, so a slow call does not earn a burst afterwards beyond catching up on the
 * slots it missed (that is what an open-loop load generator should do: the offered rate stays the asked one).
 */
public final class RateLimiter {
    private final long startNanos;
    private final double intervalNanos;
    private final LongSupplier clock;
    private final AtomicLong issued = new AtomicLong();

    /** @param rps permits per second; 0 means no limit */
    public RateLimiter(double rps, long startNanos, LongSupplier clock) {
        if (!(rps >= 0) || Double.isInfinite(rps)) {
            throw new IllegalArgumentException("rate must be finite and >= 0, got " + rps);
        }
        this.intervalNanos = rps == 0 ? 0 : 1e9 / rps;
        this.startNanos = startNanos;
        this.clock = clock;
    }

    public static RateLimiter system(double rps) {
        return new RateLimiter(rps, System.nanoTime(), System::nanoTime);
    }

    /** When permit {@code k} (0-based) may be used, on the clock's time line. */
    public long permitTimeNanos(long k) {
        return startNanos + (long) (k * intervalNanos);
    }

    /** Takes the next permit and returns when it may be used; does not wait. */
    public long reserve() {
        return intervalNanos == 0 ? clock.getAsLong() : permitTimeNanos(issued.getAndIncrement());
    }

    /**
     * Takes the next permit and waits for its time, but never past {@code notAfterNanos}. Returns false if the permit's
     * time lies beyond that bound (the caller should stop: its run is over).
     */
    public boolean acquire(long notAfterNanos) {
        long at = reserve();
        if (at - notAfterNanos > 0) {
            return false;
        }
        long wait;
        while ((wait = at - clock.getAsLong()) > 0) {
            LockSupport.parkNanos(wait);
            if (Thread.currentThread().isInterrupted()) {
                return false;
            }
        }
        return true;
    }
}
