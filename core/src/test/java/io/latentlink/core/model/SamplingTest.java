package io.latentlink.core.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplingTest {
    @Test
    void argmaxTakesTheFirstMaximumAndRejectsNaN() {
        assertEquals(1, Sampling.argmax(new float[] {0f, 3f, 3f, -1f}));
        assertThrows(IllegalStateException.class, () -> Sampling.argmax(new float[] {0f, Float.NaN}));
    }

    @Test
    void samplingFollowsTheSoftmax() {
        // p(1) = e^ln3 / (1 + e^ln3) = 0.75
        float[] logits = {0f, (float) Math.log(3)};
        Sampling.Sampler s = Sampling.random(1.0, 0, 1.0, 1234).newSampler();
        int ones = 0;
        int n = 20000;
        for (int i = 0; i < n; i++) {
            ones += s.next(logits);
        }
        assertEquals(0.75, ones / (double) n, 0.015);
    }

    @Test
    void temperatureSharpensAndTopKTopPCut() {
        float[] logits = {2f, 1f, 0f, -1f};
        Sampling.Sampler cold = Sampling.random(0.05, 0, 1.0, 1).newSampler();
        for (int i = 0; i < 200; i++) {
            assertEquals(0, cold.next(logits));
        }
        Sampling.Sampler top2 = Sampling.random(100.0, 2, 1.0, 2).newSampler();
        boolean[] seen = new boolean[4];
        for (int i = 0; i < 500; i++) {
            seen[top2.next(logits)] = true;
        }
        assertTrue(seen[0] && seen[1] && !seen[2] && !seen[3], "top-k 2 keeps exactly ids 0 and 1");
        // p = softmax(2,1,0,-1) = .644,.237,.087,.032: top-p .85 keeps ids 0 and 1 only.
        Sampling.Sampler nucleus = Sampling.random(1.0, 0, 0.85, 3).newSampler();
        seen = new boolean[4];
        for (int i = 0; i < 2000; i++) {
            seen[nucleus.next(logits)] = true;
        }
        assertTrue(seen[0] && seen[1] && !seen[2] && !seen[3], "top-p .85 keeps ids 0 and 1");
    }

    @Test
    void badParametersAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Sampling.random(0, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> Sampling.random(1, -1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> Sampling.random(1, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.greedy(0));
    }
}
