package io.latentlink.bench.report;

/**
 * One of issue 5's goals as judged from the results.
 *
 * @param goal     the goal in words
 * @param source   the results file the numbers come from
 * @param measured the numbers behind the verdict, or why there are none
 * @param met      null when not measured
 */
public record Goal(String goal, String source, String measured, Boolean met) {
    public String verdict() {
        return met == null ? "not measured" : met ? "met" : "not met";
    }

    static Goal notMeasured(String goal, String source, String why) {
        return new Goal(goal, source, why, null);
    }
}
