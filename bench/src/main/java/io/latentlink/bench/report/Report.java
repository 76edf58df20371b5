package io.latentlink.bench.report;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Composes bench/results/REPORT.md from whatever results files the folder holds, with the plots in plots/. The
 * output depends only on the files: the report's date is the newest run's, not the clock's.
 *
 * @param markdown the report
 * @param goals    the six goals as judged
 * @param problems one line per malformed file (the report says the same)
 * @param plots    the PNG files written
 */
public record Report(String markdown, List<Goal> goals, List<String> problems, List<Path> plots) {
    public static final String REPORT_FILE = "REPORT.md";
    public static final String PLOTS_DIR = "plots";

    /**
     * Reads {@code resultsDir}, replaces the PNGs in its plots/ folder and returns the report (not yet written).
     *
     * @param shownCommand the command line to print in the header as the way to rebuild the report
     */
    public static Report compose(Path resultsDir, String shownCommand) throws IOException {
        Loaded loaded = Loaded.from(resultsDir);
        Path plotsDir = resultsDir.resolve(PLOTS_DIR);
        removeOldPlots(plotsDir);
        Plots plots = new Plots(plotsDir);

        List<Section> sections = new ArrayList<>();
        sections.add(section(loaded, ModesResults.FILE, "Modes (modes.json)", loaded.modes(), m -> m.render(resultsDir, plots)));
        sections.add(section(loaded, TransportResults.FILE, "Transport (transport.json)", loaded.transport(), t -> t.render(plots)));
        sections.add(section(loaded, ScalingResults.FILE, "Context-length scaling (scaling.json)", loaded.scaling(), s -> s.render(plots)));
        sections.add(section(loaded, ConcurrencyResults.FILE, "Concurrency (concurrency.json)", loaded.concurrency(), c -> c.render(plots)));
        sections.add(section(loaded, CodecsResults.FILE, "Codecs (codecs.json)", loaded.codecs(), c -> c.render(plots)));
        sections.add(section(loaded, CoreJmhResults.FILE, "Core JMH (core-jmh.json)", loaded.coreJmh(), CoreJmhResults::render));
        List<Goal> goals = IssueGoals.judge(loaded, resultsDir);

        StringBuilder md = new StringBuilder("# LatentLink benchmark report\n\n");
        List<ResultFile> present = loaded.files().values().stream().filter(ResultFile::present).toList();
        String newest = present.stream().map(ResultFile::date).filter(d -> !d.equals("-")).max(Comparator.naturalOrder()).orElse("-");
        md.append("- date: ").append(newest).append(" (the newest run below)\n");
        md.append("- commits: ").append(String.join(", ", present.stream().map(ResultFile::commit).filter(c -> !c.equals("-")).distinct().toList())).append('\n');
        md.append("- machines: ").append(String.join(" | ", present.stream().map(ResultFile::machine).filter(m -> !m.equals("-")).distinct().toList())).append('\n');
        md.append("- composed by: `").append(shownCommand).append("`\n\n");
        List<List<String>> files = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (ResultFile f : loaded.files().values()) {
            switch (f.state()) {
                case PRESENT -> files.add(List.of(f.fileName(), f.date(), shortCommit(f.commit()), "`" + f.command() + "`"));
                case MISSING -> files.add(List.of(f.fileName(), "-", "-", "not measured: the file is missing"));
                case MALFORMED -> {
                    files.add(List.of(f.fileName(), "-", "-", "**malformed**: " + f.problem()));
                    problems.add(f.fileName() + ": " + f.problem());
                }
            }
        }
        md.append(Md.table(List.of("file", "date", "commit", "command"), "llll", files)).append('\n');

        md.append("## Headline\n\n");
        List<List<String>> headlines = new ArrayList<>();
        sections.forEach(s -> s.headlines().forEach(h -> headlines.add(List.of(h.metric(), h.value(), h.source()))));
        md.append(headlines.isEmpty() ? "Nothing measured.\n" : Md.table(List.of("metric", "value", "source"), "lll", headlines)).append('\n');

        md.append("## Goals (issue 5)\n\n");
        List<List<String>> goalRows = new ArrayList<>();
        for (int i = 0; i < goals.size(); i++) {
            Goal g = goals.get(i);
            goalRows.add(List.of(Integer.toString(i + 1), g.goal(), g.source(), g.measured(), "**" + g.verdict() + "**"));
        }
        for (Goal g : IssueGoals.extraFromModes(loaded)) {
            goalRows.add(List.of("+", g.goal(), g.source(), g.measured(), "**" + g.verdict() + "**"));
        }
        md.append(Md.table(List.of("#", "goal", "measured by", "measured", "verdict"), "rllll", goalRows)).append('\n');

        for (Section s : sections) {
            md.append("## ").append(s.title()).append("\n\n").append(s.body().strip()).append("\n\n");
        }
        return new Report(md.toString().strip() + "\n", goals, problems, plots.written());
    }

    /** Writes REPORT.md next to the results. */
    public Path write(Path resultsDir) throws IOException {
        Path out = resultsDir.resolve(REPORT_FILE);
        Files.writeString(out, markdown);
        return out;
    }

    private static <T> Section section(Loaded loaded, String file, String title, T results, Function<T, Section> render) {
        if (results != null) {
            return render.apply(results);
        }
        ResultFile f = loaded.file(file);
        String body = f.state() == ResultFile.State.MISSING
                ? "Not measured: `" + file + "` is missing from the results folder."
                : "Not measured: `" + file + "` is malformed: " + f.problem();
        return new Section(title, body, List.of());
    }

    private static String shortCommit(String commit) {
        return commit.matches("[0-9a-f]{40}.*") ? commit.substring(0, 12) + commit.substring(40) : commit;
    }

    /** Plots of a file that is gone must not linger next to the new report. */
    private static void removeOldPlots(Path plotsDir) throws IOException {
        if (!Files.isDirectory(plotsDir)) {
            return;
        }
        try (DirectoryStream<Path> pngs = Files.newDirectoryStream(plotsDir, "*.png")) {
            for (Path p : pngs) {
                Files.delete(p);
            }
        }
    }
}
