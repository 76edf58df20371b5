package io.latentlink.bench.modes;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The performance goals of issue 5, checked against measured summaries. A goal whose inputs were not measured is
 * reported as such (met = null), never as met.
 */
public final class Goals {
    /** The node's default codec is the headline C2C. */
    public static final String HEADLINE_C2C = "c2c_fp16";

    private Goals() {
    }

    /**
     * @param met null when it could not be judged (a configuration missing or without answers)
     */
    public record Goal(String goal, String measured, Boolean met) {
        @JsonProperty("verdict")
        public String verdict() {
            return met == null ? "not measured" : met ? "met" : "not met";
        }
    }

    public static List<Goal> evaluate(Map<String, ModeSummary> results) {
        List<Goal> goals = new ArrayList<>();
        ModeSummary text = results.get("text");
        ModeSummary c2c = results.get(HEADLINE_C2C);
        // The fastest in-process variant measured is the baseline, so the goal is never met against a slow one.
        ModeSummary inProcess = results.values().stream().filter(s -> s.key().startsWith("c2c_inprocess") && usable(s))
                .min(java.util.Comparator.comparingDouble(ModeSummary::p50Ms)).orElse(null);
        ModeSummary int8 = results.get("c2c_int8");

        String g1 = "C2C (fp16) p50 <= 0.5 x TEXT p50, at accuracy >= TEXT - 2 points";
        if (usable(text) && usable(c2c)) {
            double ratio = c2c.p50Ms() / text.p50Ms();
            double delta = 100 * (c2c.accuracy() - text.accuracy());
            goals.add(new Goal(g1, fmt("p50 %.1f / %.1f ms = %.2f x; accuracy %+.1f points", c2c.p50Ms(), text.p50Ms(), ratio, delta),
                    ratio <= 0.5 && delta >= -2.0));
        } else {
            goals.add(new Goal(g1, "TEXT or C2C fp16 not measured", null));
        }

        String g2 = "distributed C2C (fp16) p50 <= 1.25 x in-process C2C p50 (the faster in-process variant)";
        if (usable(c2c) && inProcess != null) {
            double ratio = c2c.p50Ms() / inProcess.p50Ms();
            goals.add(new Goal(g2, fmt("p50 %.1f / %.1f ms (%s) = %.2f x (p95 %.2f x)", c2c.p50Ms(), inProcess.p50Ms(),
                    inProcess.label(), ratio, c2c.p95Ms() / inProcess.p95Ms()), ratio <= 1.25));
        } else {
            goals.add(new Goal(g2, "distributed or in-process C2C not measured", null));
        }

        String g3 = "int8 wire bytes <= 0.5 x fp16, at <= 1 point accuracy loss";
        goals.add(wireGoal(g3, c2c, int8, "C2C fp16 or int8 not measured"));
        // int8z (int8 codes through a lossless zstd stage) is judged beside int8 when it was measured.
        ModeSummary int8z = results.get("c2c_int8z");
        if (int8z != null) {
            goals.add(wireGoal("int8z (int8 + zstd) wire bytes <= 0.5 x fp16, at <= 1 point accuracy loss", c2c, int8z,
                    "C2C fp16 or int8z not measured"));
        }
        return goals;
    }

    private static Goal wireGoal(String goal, ModeSummary fp16, ModeSummary lossy, String missing) {
        if (usable(fp16) && usable(lossy) && fp16.wireBytesPerRequest() > 0) {
            double ratio = lossy.wireBytesPerRequest() / fp16.wireBytesPerRequest();
            double delta = 100 * (lossy.accuracy() - fp16.accuracy());
            return new Goal(goal, fmt("%.0f / %.0f bytes = %.3f x; accuracy %+.1f points", lossy.wireBytesPerRequest(),
                    fp16.wireBytesPerRequest(), ratio, delta), ratio <= 0.5 && delta >= -1.0);
        }
        return new Goal(goal, missing, null);
    }

    private static boolean usable(ModeSummary s) {
        return s != null && s.n() > s.errors() && !Double.isNaN(s.p50Ms()) && s.p50Ms() > 0;
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
