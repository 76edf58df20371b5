package io.latentlink.bench.transport;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.latentlink.core.codec.CodecSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The bookkeeping of TransportBench: rates, medians, the goal's verdict, transport.json and the printed table. */
final class TransportReport {

    static final String GOAL = "one-hop fp16 transport >= 70% of iperf3 single-stream loopback throughput";
    static final double GOAL_RATIO = 0.70;

    private TransportReport() {
    }

    /** The repeats of one (path, codec, tokens) cell. */
    record Cell(String path, CodecSpec codec, int tokens, long rawBytes, long wireBytes, long chunks,
            List<Double> seconds, List<Map<String, Object>> breakdowns) {

        double secondsMedian() {
            return median(seconds);
        }

        double rawGbPerSecond() {
            return gbPerSecond(rawBytes, secondsMedian());
        }

        double wireGbPerSecond() {
            return gbPerSecond(wireBytes, secondsMedian());
        }
    }

    /** GB/s with GB = 1e9 bytes. */
    static double gbPerSecond(long bytes, double seconds) {
        if (!(seconds > 0)) {
            throw new IllegalArgumentException("seconds must be positive: " + seconds);
        }
        return bytes / seconds / 1e9;
    }

    static double median(List<Double> xs) {
        if (xs.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
        double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    static Map<String, Object> runJson(Cell c, Double iperfGbPerSecond) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", c.path());
        m.put("codec", c.codec().id());
        m.put("codec_params", new LinkedHashMap<>(c.codec().params()));
        m.put("tokens", c.tokens());
        m.put("repeats", c.seconds().size());
        m.put("raw_bytes", c.rawBytes());
        m.put("wire_bytes", c.wireBytes());
        m.put("chunks", c.chunks());
        m.put("seconds_median", c.secondsMedian());
        m.put("seconds", c.seconds());
        m.put("raw_gb_per_s", c.rawGbPerSecond());
        m.put("wire_gb_per_s", c.wireGbPerSecond());
        m.put("wire_vs_iperf3", iperfGbPerSecond == null ? null : c.wireGbPerSecond() / iperfGbPerSecond);
        m.put("breakdown_per_repeat", c.breakdowns());
        return m;
    }

    /**
     * The goal is judged on one-hop fp16 at the largest token count measured (the steadiest stream); null when either
     * side was not measured.
     */
    static Map<String, Object> goal(List<Cell> cells, Double iperfGbPerSecond) {
        Cell best = null;
        for (Cell c : cells) {
            if (c.path().equals("one-hop") && c.codec().id().equals("fp16")
                    && (best == null || c.tokens() > best.tokens())) {
                best = c;
            }
        }
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("goal", GOAL);
        if (best == null || iperfGbPerSecond == null) {
            g.put("measured", best == null ? "one-hop fp16 not run" : "iperf3 not measured");
            g.put("met", null);
            return g;
        }
        double ratio = best.wireGbPerSecond() / iperfGbPerSecond;
        g.put("measured", String.format(Locale.ROOT,
                "one-hop fp16 at %d tokens: %.3f GB/s wire (%.3f GB/s raw-equivalent) = %.1f%% of iperf3 %.3f GB/s",
                best.tokens(), best.wireGbPerSecond(), best.rawGbPerSecond(), 100 * ratio, iperfGbPerSecond));
        g.put("met", ratio >= GOAL_RATIO);
        return g;
    }

    static void write(Path out, Map<String, Object> root) throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), root);
    }

    static String table(List<Cell> cells, Double iperfGbPerSecond) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-8s %-18s %7s %9s %10s %10s %8s%n",
                "path", "codec", "tokens", "s (med)", "raw GB/s", "wire GB/s", "vs iperf"));
        for (Cell c : cells) {
            String codec = c.codec().id() + (c.codec().params().isEmpty() ? "" : ":" + c.codec().param("scales", ""));
            b.append(String.format(Locale.ROOT, "%-8s %-18s %7d %9.3f %10.3f %10.3f %8s%n", c.path(), codec,
                    c.tokens(), c.secondsMedian(), c.rawGbPerSecond(), c.wireGbPerSecond(),
                    iperfGbPerSecond == null ? "-" : String.format(Locale.ROOT, "%.1f%%",
                            100 * c.wireGbPerSecond() / iperfGbPerSecond)));
        }
        return b.toString();
    }

    /** Cores, CPU, RAM, OS, JDK and the load average before and after, in one line. */
    static String machine(String loadBefore, String loadAfter) {
        String cpu = "unknown CPU";
        long memKb = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    memKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: leave the defaults
        }
        return String.format(Locale.ROOT, "%d cores, %s, %.1f GiB RAM, %s %s, JDK %s, load average before %s, after %s",
                Runtime.getRuntime().availableProcessors(), cpu, memKb / 1048576.0, System.getProperty("os.name"),
                System.getProperty("os.version"), System.getProperty("java.runtime.version"), loadBefore, loadAfter);
    }

    static List<Map<String, Object>> runsJson(List<Cell> cells, Double iperf) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Cell c : cells) {
            out.add(runJson(c, iperf));
        }
        return out;
    }

    static String argsLine(String[] args) {
        return String.join(" ", Arrays.asList(args));
    }
}
