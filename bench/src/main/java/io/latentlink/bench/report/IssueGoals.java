package io.latentlink.bench.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The six performance goals of issue 5, each judged from the file that measures it. A file's own "goals" entry is
 * used where it has one (transport.json, scaling.json); otherwise the verdict is computed from its numbers here.
 * A goal whose file is missing, malformed or lacks the runs it needs is "not measured", never met.
 */
final class IssueGoals {
    static final String C2C_VS_TEXT = "C2C p50 <= 0.5 x TEXT p50 at accuracy >= TEXT - 2 points";
    static final String DISTRIBUTED = "distributed C2C p50 <= 1.25 x in-process C2C p50";
    static final String TRANSPORT = "one-hop fp16 transport >= 70% of iperf3 single-stream loopback";
    static final String INT8_SPEED = "int8 encode and decode >= 1 GB/s per core each";
    static final String INT8_BYTES = "int8 wire bytes <= 0.5 x fp16 at <= 1 point accuracy loss";
    static final String MEMORY = "memory bounded: off-heap high-water under a fixed credit window does not grow with context length";
    /** How much an off-heap high-water may move across contexts and still count as "does not grow" (noise). */
    static final double MEMORY_TOLERANCE = 1.25;

    private IssueGoals() {
    }

    static List<Goal> judge(Loaded loaded, Path resultsDir) {
        List<Goal> goals = new ArrayList<>();
        if (loaded.modes() != null) {
            goals.add(fromModes(C2C_VS_TEXT, loaded.modes(), "C2C (fp16) p50"));
            goals.add(fromModes(DISTRIBUTED, loaded.modes(), "distributed C2C"));
        } else {
            goals.add(Goal.notMeasured(C2C_VS_TEXT, ModesResults.FILE, loaded.file(ModesResults.FILE).absence()));
            goals.add(Goal.notMeasured(DISTRIBUTED, ModesResults.FILE, loaded.file(ModesResults.FILE).absence()));
        }

        TransportResults t = loaded.transport();
        if (t == null) {
            goals.add(Goal.notMeasured(TRANSPORT, TransportResults.FILE, loaded.file(TransportResults.FILE).absence()));
        } else {
            goals.add(t.goals().find("iperf3").map(g -> relabel(TRANSPORT, g)).orElseGet(() -> transportFromRuns(t)));
        }

        goals.add(int8Speed(loaded, resultsDir));

        if (loaded.modes() != null) {
            goals.add(fromModes(INT8_BYTES, loaded.modes(), "int8 wire bytes"));
        } else {
            goals.add(Goal.notMeasured(INT8_BYTES, ModesResults.FILE, loaded.file(ModesResults.FILE).absence()));
        }

        ScalingResults s = loaded.scaling();
        if (s == null) {
            goals.add(Goal.notMeasured(MEMORY, ScalingResults.FILE, loaded.file(ScalingResults.FILE).absence()));
        } else {
            goals.add(s.goals().find("off-heap").map(g -> relabel(MEMORY, g))
                    .orElseGet(() -> s.offHeapGoal(MEMORY, MEMORY_TOLERANCE)));
        }
        return goals;
    }

    private static Goal transportFromRuns(TransportResults t) {
        TransportResults.Run best = t.bestOneHopFp16();
        if (best == null) {
            return Goal.notMeasured(TRANSPORT, TransportResults.FILE, "no one-hop fp16 run");
        }
        if (Double.isNaN(t.iperf3GbPerS()) && Double.isNaN(best.wireVsIperf3())) {
            return Goal.notMeasured(TRANSPORT, TransportResults.FILE, "iperf3 " + t.iperf3Note());
        }
        double ratio = t.vsIperf3(best);
        return new Goal(TRANSPORT, TransportResults.FILE, Md.f("best one-hop fp16: %.2f GB/s on the wire at %d tokens = %.0f%% of iperf3 (%s GB/s)",
                best.wireGbPerS(), best.tokens(), 100 * ratio, Md.num(t.iperf3GbPerS(), 2)), ratio >= 0.70);
    }

    private static Goal int8Speed(Loaded loaded, Path resultsDir) {
        if (loaded.codecs() != null) {
            return loaded.codecs().int8Goal(INT8_SPEED);
        }
        String why = loaded.file(CodecsResults.FILE).absence();
        if (loaded.coreJmh() != null) {
            Goal g = loaded.coreJmh().int8Goal(INT8_SPEED);
            if (g != null) {
                return g;
            }
        }
        Goal documented = CodecPackageNotes.int8Goal(INT8_SPEED, resultsDir);
        return documented != null ? documented
                : Goal.notMeasured(INT8_SPEED, CodecsResults.FILE, why + "; core-jmh.json has no codec benchmarks");
    }

    /** ModesBench's verdict on the goal whose text starts with {@code prefix} (its Goals class words them). */
    private static Goal fromModes(String goal, ModesResults modes, String prefix) {
        return modes.goals().stream().filter(g -> g.goal().startsWith(prefix)).findFirst()
                .map(g -> new Goal(goal, ModesResults.FILE, g.measured(), g.met()))
                .orElseGet(() -> Goal.notMeasured(goal, ModesResults.FILE, "modes.json's benchmark judges no such goal"));
    }

    /** Goals ModesBench judges beyond the issue's (e.g. int8z beside int8), listed after the six. */
    static List<Goal> extraFromModes(Loaded loaded) {
        if (loaded.modes() == null) {
            return List.of();
        }
        return loaded.modes().goals().stream()
                .filter(g -> !g.goal().startsWith("C2C (fp16) p50") && !g.goal().startsWith("distributed C2C")
                        && !g.goal().startsWith("int8 wire bytes"))
                .map(g -> new Goal(g.goal(), ModesResults.FILE, g.measured(), g.met())).toList();
    }

    /** The file's verdict under the issue's wording, the file's own wording kept in the measured cell. */
    private static Goal relabel(String goal, Goal fromFile) {
        return new Goal(goal, fromFile.source(), fromFile.measured() + " (the benchmark's verdict on \"" + fromFile.goal() + "\")",
                fromFile.met());
    }
}
