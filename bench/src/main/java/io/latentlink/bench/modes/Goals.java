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
        if (usable(c2c) && usable(int8) && c2c.wireBytesPerRequest() > 0) {
            double ratio = int8.wireBytesPerRequest() / c2c.wireBytesPerRequest();
            double delta = 100 * (int8.accuracy() - c2c.accuracy());
            goals.add(new Goal(g3, fmt("%.0f / %.0f bytes = %.3f x; accuracy %+.1f points", int8.wireBytesPerRequest(),
                    c2c.wireBytesPerRequest(), ratio, delta), ratio <= 0.5 && delta >= -1.0));
        } else {
            goals.add(new Goal(g3, "C2C fp16 or int8 not measured", null));
        }
        return goals;
    }

    private static boolean usable(ModeSummary s) {
        return s != null && s.n() > s.errors() && !Double.isNaN(s.p50Ms()) && s.p50Ms() > 0;
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
