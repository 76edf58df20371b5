package io.latentlink.bench.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LatencySummaryTest {

    @Test
    void nearestRankPercentilesOfUnsortedSamples() {
        double[] samples = new double[100];
        for (int i = 0; i < 100; i++) {
            samples[i] = 100 - i; // 100 .. 1
        }
        LatencySummary s = LatencySummary.of(samples);
        assertEquals(100, s.n());
        assertEquals(50, s.p50());
        assertEquals(95, s.p95());
        assertEquals(99, s.p99());
        assertEquals(50.5, s.mean(), 1e-9);
        assertEquals(100, s.max());
    }

    @Test
    void fewSamplesGiveTheirLargestAtHighPercentilesAndNaNIsIgnored() {
        LatencySummary s = LatencySummary.of(new double[] {30, Double.NaN, 10, 20});
        assertEquals(3, s.n());
        assertEquals(20, s.p50());
        assertEquals(30, s.p95());
        assertEquals(30, s.p99());
        assertEquals(20, s.mean(), 1e-9);
    }

    @Test
    void noSamplesGiveNaN() {
        LatencySummary s = LatencySummary.of(new double[0]);
        assertEquals(0, s.n());
        assertTrue(Double.isNaN(s.p50()) && Double.isNaN(s.mean()) && Double.isNaN(s.max()));
    }
}
