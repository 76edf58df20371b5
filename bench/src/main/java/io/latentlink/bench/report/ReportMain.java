package io.latentlink.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Composes the benchmark suite's one report, bench/results/REPORT.md, and its PNG plots (bench/results/plots/) from
 * the results files that exist: modes.json (+ modes.md), transport.json, scaling.json, concurrency.json, codecs.json,
 * core-jmh.json. Missing files are reported as not measured.
 * <p>
 * Usage: {@code ReportMain [--results DIR]} (default bench/results). Exit status 0 when every file present was read,
 * 1 when one was malformed (the report is still written and says which and why), 2 on a usage error.
 */
public final class ReportMain {
    static final String USAGE = "usage: ReportMain [--results DIR (default bench/results)]";

    private ReportMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        System.setProperty("java.awt.headless", "true");
        Path results = Path.of("bench/results");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--results" -> {
                    if (i + 1 >= args.length) {
                        System.err.println("--results needs a folder\n" + USAGE);
                        return 2;
                    }
                    results = Path.of(args[++i]);
                }
                case "-h", "--help" -> {
                    System.out.println(USAGE);
                    return 0;
                }
                default -> {
                    System.err.println("unknown argument: " + args[i] + "\n" + USAGE);
                    return 2;
                }
            }
        }
        if (!Files.isDirectory(results)) {
            System.err.println("no results folder at " + results.toAbsolutePath() + "\n" + USAGE);
            return 2;
        }
        try {
            Report report = Report.compose(results, "java -cp bench/target/benchmarks.jar io.latentlink.bench.report.ReportMain --results "
                    + results);
            Path out = report.write(results);
            System.out.println("wrote " + out + " and " + report.plots().size() + " plot(s) in " + results.resolve(Report.PLOTS_DIR));
            report.goals().forEach(g -> System.out.println("goal: " + g.goal() + ": " + g.verdict() + " (" + g.measured() + ")"));
            report.problems().forEach(p -> System.err.println("malformed: " + p));
            return report.problems().isEmpty() ? 0 : 1;
        } catch (IOException | RuntimeException e) {
            System.err.println("cannot compose the report from " + results + ": " + e);
            return 1;
        }
    }
}
