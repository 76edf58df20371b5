package io.latentlink.bench.load;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RateLimiterTest {

    @Test
    void permitsAreSpacedEvenlyFromTheStart() {
        RateLimiter limiter = new RateLimiter(4, 1_000, () -> 0);
        assertEquals(1_000, limiter.reserve());
        assertEquals(1_000 + 250_000_000L, limiter.reserve());
        assertEquals(1_000 + 500_000_000L, limiter.reserve());
        assertEquals(1_000 + 2_500_000_000L, limiter.permitTimeNanos(10));
    }

    @Test
    void aFractionalRateKeepsItsAverage() {
        RateLimiter limiter = new RateLimiter(3, 0, () -> 0);
        // 3 per second: the 300th permit is due after 100 s, with no drift from rounding each interval.
        assertEquals(100_000_000_000L, limiter.permitTimeNanos(300));
    }

    @Test
    void noRateMeansEveryPermitIsDueNow() {
        AtomicLong now = new AtomicLong(42);
        RateLimiter limiter = new RateLimiter(0, 0, now::get);
        assertEquals(42, limiter.reserve());
        now.set(43);
        assertEquals(43, limiter.reserve());
        assertTrue(limiter.acquire(Long.MAX_VALUE));
    }

    @Test
    void acquireReturnsAtOnceForAPermitAlreadyDue() {
        AtomicLong now = new AtomicLong(10_000_000_000L);
        RateLimiter limiter = new RateLimiter(1, 0, now::get);
        assertTrue(limiter.acquire(Long.MAX_VALUE)); // due at 0
        assertTrue(limiter.acquire(Long.MAX_VALUE)); // due at 1 s, the clock says 10 s
    }

    @Test
    void aPermitPastTheRunsEndIsRefused() {
        RateLimiter limiter = new RateLimiter(1, 0, () -> 0);
        assertTrue(limiter.acquire(500_000_000L));  // permit 0 at 0 s
        assertFalse(limiter.acquire(500_000_000L)); // permit 1 at 1 s, after the end
    }

    @Test
    void badRatesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RateLimiter(-1, 0, () -> 0));
        assertThrows(IllegalArgumentException.class, () -> new RateLimiter(Double.NaN, 0, () -> 0));
        assertThrows(IllegalArgumentException.class, () -> new RateLimiter(Double.POSITIVE_INFINITY, 0, () -> 0));
    }
}
