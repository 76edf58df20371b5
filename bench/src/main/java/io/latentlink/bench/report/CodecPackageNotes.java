package io.latentlink.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The last resort for the int8 speed goal: the ranges core's codec package documents from its test-scope
 * {@code KvCodecThroughput} runs ("int8 per_token  2.7-7.0 / 5.0-9.7 ..."), judged on their low ends. Used only when
 * neither codecs.json nor core-jmh.json measures the codecs, and said so in the goal's "measured" cell.
 */
final class CodecPackageNotes {
    static final String PATH = "core/src/main/java/io/latentlink/core/codec/package-info.java";
    private static final Pattern ROW = Pattern.compile("^\\s*\\*\\s*int8 per_token\\s+(.*)$");
    private static final Pattern PAIR = Pattern.compile("([\\d.]+)(?:-([\\d.]+))?\\s*/\\s*([\\d.]+)(?:-([\\d.]+))?");

    private CodecPackageNotes() {
    }

    /** The repository holding {@code resultsDir} (bench/results), or null. */
    static Path findRepo(Path resultsDir) {
        for (Path p = resultsDir.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve(PATH))) {
                return p;
            }
        }
        return null;
    }

    static Goal int8Goal(String goalText, Path resultsDir) {
        Path repo = findRepo(resultsDir);
        if (repo == null) {
            return null;
        }
        try {
            for (String line : Files.readAllLines(repo.resolve(PATH))) {
                Matcher row = ROW.matcher(line);
                if (!row.matches()) {
                    continue;
                }
                List<double[]> pairs = new ArrayList<>();
                Matcher pair = PAIR.matcher(row.group(1));
                List<String> shown = new ArrayList<>();
                // The first two pairs are the two shapes' enc / dec ranges; the last column (the ratio) is not a speed.
                while (pairs.size() < 2 && pair.find()) {
                    pairs.add(new double[]{Double.parseDouble(pair.group(1)), Double.parseDouble(pair.group(3))});
                    shown.add(pair.group().trim());
                }
                if (pairs.isEmpty()) {
                    return null;
                }
                double encode = pairs.stream().mapToDouble(p -> p[0]).min().orElseThrow();
                double decode = pairs.stream().mapToDouble(p -> p[1]).min().orElseThrow();
                return new Goal(goalText, PATH, Md.f("no codecs.json: %s documents int8 per_token `%s` GB/s (encode / decode,"
                        + " one thread, KvCodecThroughput, not a suite run); lowest: encode %.1f, decode %.1f GB/s",
                        "io.latentlink.core.codec's package-info", String.join("; ", shown), encode, decode),
                        encode >= 1.0 && decode >= 1.0);
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }
}
