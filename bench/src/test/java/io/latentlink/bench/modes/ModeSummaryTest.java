package io.latentlink.bench.modes;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModeSummaryTest {

    private static ModeSample ok(boolean correct, double ms, double first, long wire) {
        return new ModeSample(correct, "a", ms, first, wire, 2 * wire, Map.of("prefill", ms / 2, "decode", ms / 4), null);
    }

    @Test
    void aggregatesAccuracyPercentilesBytesAndStages() {
        List<ModeSample> samples = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            samples.add(ok(i % 4 == 0, i * 10, i, 1000));
        }
        samples.add(ModeSample.failed(500, "UNAVAILABLE"));
        ModeSummary s = ModeSummary.of("c2c_fp16", "C2C fp16", "C2C", "fp16", samples);
        assertEquals(21, s.n());
        assertEquals(5, s.correct());
        assertEquals(1, s.errors());
        assertEquals(5 / 21.0, s.accuracy(), 1e-12);
        assertEquals(110, s.p50Ms());   // 11th of 21
        assertEquals(200, s.p95Ms());   // 20th of 21
        assertEquals(10, s.firstTokenP50Ms()); // the failed call has no first token: 10th of 20
        assertEquals(20000 / 21.0, s.wireBytesPerRequest(), 1e-9);
        assertEquals(2 * 20000 / 21.0, s.rawBytesPerRequest(), 1e-9);
        assertEquals(1050 / 21.0, s.meanStagesMs().get("prefill"), 1e-9);
    }

    @Test
    void noSamplesGiveNoPercentiles() {
        ModeSummary s = ModeSummary.of("text", "TEXT", "TEXT", "-", List.of());
        assertEquals(0, s.n());
        assertTrue(Double.isNaN(s.p50Ms()));
        assertTrue(Double.isNaN(s.firstTokenP95Ms()));
    }
}
