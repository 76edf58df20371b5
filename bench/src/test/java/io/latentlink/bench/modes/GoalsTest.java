package io.latentlink.bench.modes;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GoalsTest {

    private static ModeSummary summary(String key, double accuracy, double p50, double p95, double wire) {
        return new ModeSummary(key, key, "C2C", "-", 100, (int) Math.round(100 * accuracy), 0, accuracy, p50, p95, p50,
                p50 / 2, p95 / 2, wire, wire * 2, Map.of());
    }

    @Test
    void judgesEachGoalOnItsOwnInputs() {
        List<Goals.Goal> goals = Goals.evaluate(Map.of(
                "text", summary("text", 0.50, 400, 500, 0),
                "c2c_fp16", summary("c2c_fp16", 0.49, 190, 250, 10_000),
                "c2c_int8", summary("c2c_int8", 0.47, 180, 240, 5_200),
                "c2c_inprocess", summary("c2c_inprocess", 0.49, 150, 180, 0),
                "c2c_inprocess_1t", summary("c2c_inprocess_1t", 0.49, 100, 120, 0)));
        assertEquals(3, goals.size());
        assertTrue(goals.get(0).met(), goals.get(0).measured());   // 0.475 x, -1 point
        assertFalse(goals.get(1).met(), goals.get(1).measured());  // 1.9 x
        assertFalse(goals.get(2).met(), goals.get(2).measured());  // 0.52 x and -2 points
        assertTrue(goals.get(1).measured().contains("1.90 x"), "against the faster in-process run: " + goals.get(1).measured());
        assertEquals("not met", goals.get(2).verdict());
    }

    @Test
    void accuracyLossAloneFailsAGoal() {
        List<Goals.Goal> goals = Goals.evaluate(Map.of(
                "text", summary("text", 0.60, 400, 500, 0),
                "c2c_fp16", summary("c2c_fp16", 0.55, 100, 150, 10_000),
                "c2c_int8", summary("c2c_int8", 0.55, 100, 150, 4_000)));
        assertFalse(goals.get(0).met(), "fast but 5 points below TEXT");
        assertTrue(goals.get(2).met());
    }

    @Test
    void int8zIsJudgedBesideInt8WhenMeasured() {
        List<Goals.Goal> goals = Goals.evaluate(Map.of(
                "c2c_fp16", summary("c2c_fp16", 0.55, 100, 150, 10_000),
                "c2c_int8", summary("c2c_int8", 0.55, 100, 150, 5_300),
                "c2c_int8z", summary("c2c_int8z", 0.55, 100, 150, 4_900)));
        assertEquals(4, goals.size());
        assertFalse(goals.get(2).met(), goals.get(2).measured());
        assertTrue(goals.get(3).goal().startsWith("int8z"), goals.get(3).goal());
        assertTrue(goals.get(3).met(), goals.get(3).measured());
        assertTrue(goals.get(3).measured().contains("0.490 x"), goals.get(3).measured());
    }

    @Test
    void missingConfigurationsAreNotMeasuredRatherThanMet() {
        List<Goals.Goal> goals = Goals.evaluate(Map.of("text", summary("text", 0.5, 400, 500, 0)));
        goals.forEach(g -> {
            assertNull(g.met());
            assertEquals("not measured", g.verdict());
        });
    }
}
