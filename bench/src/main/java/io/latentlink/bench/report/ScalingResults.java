package io.latentlink.bench.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** scaling.json (ScalingBench): latency, wire bytes and each node's memory high-water against context length. */
record ScalingResults(List<Run> runs, FileGoals goals) {
    static final String FILE = "scaling.json";

    record Run(String mode, String codec, long contextTokens, double sharerTokens, long n, double p50Ms, double p95Ms,
               double firstTokenP50Ms, double wireBytes, double rawBytes, Map<String, Double> peakOffHeap,
               Map<String, Double> peakHeap, long errors) {
        String config() {
            return codec == null ? mode : mode + " " + codec;
        }

        /**
         * The context length the benchmark varies: the sharer's tokens when recorded (in C2C the passage goes to the
         * sharer, so the receiver's prompt barely grows), else the receiver's prompt tokens.
         */
        double length() {
            return Double.isNaN(sharerTokens) ? contextTokens : sharerTokens;
        }
    }

    /** The x axis' name, after what {@link Run#length()} measures. */
    String lengthAxis() {
        return runs.stream().allMatch(r -> !Double.isNaN(r.sharerTokens())) ? "context (sharer tokens)" : "context tokens";
    }

    static ScalingResults parse(JsonNode root) {
        List<Run> runs = new ArrayList<>();
        for (Fields.Located r : Fields.array(root, "runs", FILE)) {
            JsonNode n = r.node();
            String at = r.where();
            runs.add(new Run(Fields.text(n, "mode", at), Fields.optionalText(n, "codec", at, null),
                    Fields.integer(n, "context_tokens", at), Fields.optionalNumber(n, "sharer_tokens", at),
                    Fields.optionalInteger(n, "n", at, 0), Fields.number(n, "p50_ms", at), Fields.optionalNumber(n, "p95_ms", at),
                    Fields.optionalNumber(n, "first_token_p50_ms", at), Fields.optionalNumber(n, "wire_bytes", at),
                    Fields.optionalNumber(n, "raw_bytes", at), Fields.numberMap(n, "peak_offheap_bytes", at),
                    Fields.numberMap(n, "peak_heap_bytes", at), Fields.optionalInteger(n, "errors", at, 0)));
        }
        return new ScalingResults(runs, FileGoals.parse(root, FILE));
    }

    /**
     * The memory goal from the numbers when the file does not judge it: in the configuration that moves KV (C2C, the
     * first codec listed), each node's off-heap high-water at the longest context over that at the shortest.
     */
    Goal offHeapGoal(String goalText, double tolerance) {
        List<Run> c2c = runs.stream().filter(r -> r.mode().equals("C2C") && !r.peakOffHeap().isEmpty()).toList();
        if (c2c.isEmpty()) {
            return Goal.notMeasured(goalText, FILE, "no C2C run with off-heap high-water marks");
        }
        String config = c2c.get(0).config();
        List<Run> same = c2c.stream().filter(r -> r.config().equals(config)).toList();
        Run shortest = same.stream().min((a, b) -> Double.compare(a.length(), b.length())).orElseThrow();
        Run longest = same.stream().max((a, b) -> Double.compare(a.length(), b.length())).orElseThrow();
        if (longest.length() < 2 * shortest.length()) {
            return Goal.notMeasured(goalText, FILE, Md.f("%s contexts span %.0f..%.0f tokens, less than 2x", config,
                    shortest.length(), longest.length()));
        }
        StringBuilder measured = new StringBuilder(Md.f("%s, %s %.0f -> %.0f: ", config, lengthAxis(),
                shortest.length(), longest.length()));
        boolean met = true;
        for (Map.Entry<String, Double> e : longest.peakOffHeap().entrySet()) {
            Double at = shortest.peakOffHeap().get(e.getKey());
            if (at == null || at <= 0) {
                continue;
            }
            double growth = e.getValue() / at;
            met &= growth <= tolerance;
            measured.append(Md.f("%s %s -> %s MiB (%.2f x), ", e.getKey(), Md.mib(at), Md.mib(e.getValue()), growth));
        }
        measured.setLength(measured.length() - 2);
        measured.append(Md.f("; met when every node stays within %.2f x", tolerance));
        return new Goal(goalText, FILE, measured.toString(), met);
    }

    Section render(Plots plots) {
        StringBuilder md = new StringBuilder();
        Set<String> nodes = new LinkedHashSet<>();
        runs.forEach(r -> {
            nodes.addAll(r.peakOffHeap().keySet());
            nodes.addAll(r.peakHeap().keySet());
        });
        List<String> header = new ArrayList<>(List.of("mode", "codec", "context tokens", "sharer tokens", "n", "p50 ms",
                "p95 ms", "first token p50 ms", "wire bytes", "raw bytes"));
        nodes.forEach(node -> header.add(node + " off-heap MiB"));
        nodes.forEach(node -> header.add(node + " heap MiB"));
        header.add("errors");
        List<List<String>> rows = new ArrayList<>();
        for (Run r : runs) {
            List<String> row = new ArrayList<>(List.of(r.mode(), r.codec() == null ? "-" : r.codec(),
                    Long.toString(r.contextTokens()), Md.num(r.sharerTokens(), 0), Long.toString(r.n()), Md.num(r.p50Ms(), 1),
                    Md.num(r.p95Ms(), 1), Md.num(r.firstTokenP50Ms(), 1), Md.bytes(r.wireBytes()), Md.bytes(r.rawBytes())));
            nodes.forEach(node -> row.add(Md.mib(r.peakOffHeap().getOrDefault(node, Double.NaN))));
            nodes.forEach(node -> row.add(Md.mib(r.peakHeap().getOrDefault(node, Double.NaN))));
            row.add(Long.toString(r.errors()));
            rows.add(row);
        }
        md.append(Md.table(header, "ll" + "r".repeat(header.size() - 2), rows)).append('\n');

        if (!runs.isEmpty()) {
            Plots.SeriesBuilder latency = new Plots.SeriesBuilder();
            Plots.SeriesBuilder wire = new Plots.SeriesBuilder();
            Plots.SeriesBuilder offHeap = new Plots.SeriesBuilder();
            for (Run r : runs) {
                latency.add(r.config() + " p50", r.length(), r.p50Ms());
                if (!Double.isNaN(r.wireBytes())) {
                    wire.add(r.config(), r.length(), r.wireBytes() / 1e6);
                }
                // The memory goal is about the KV that crosses the credited streams: C2C only, when there is C2C.
                if (r.mode().equals("C2C") || runs.stream().noneMatch(x -> x.mode().equals("C2C"))) {
                    r.peakOffHeap().forEach((node, bytes) -> offHeap.add(node + " (" + r.config() + ")", r.length(),
                            bytes / (1024.0 * 1024.0)));
                }
            }
            md.append(Md.image("latency vs context", "plots/" + plots.lines("scaling-latency.png",
                    "Scaling: p50 latency vs context length", lengthAxis(), "p50 ms", latency.build(), false)));
            if (!wire.isEmpty()) {
                md.append(Md.image("wire bytes vs context", "plots/" + plots.lines("scaling-wire-bytes.png",
                        "Scaling: wire bytes per request vs context length", lengthAxis(), "MB (1e6 bytes)", wire.build(), false)));
            }
            if (!offHeap.isEmpty()) {
                md.append(Md.image("off-heap high-water vs context", "plots/" + plots.lines("scaling-offheap.png",
                        "Scaling: off-heap high-water per node vs context length (C2C; all modes in the table)", lengthAxis(), "MiB", offHeap.build(), false)));
            }
        }
        List<Headline> headlines = new ArrayList<>();
        runs.stream().filter(r -> r.mode().equals("C2C")).max((a, b) -> Double.compare(a.length(), b.length()))
                .ifPresent(r -> headlines.add(new Headline("C2C at the longest context measured",
                        Md.f("%s %.0f: p50 %s ms, %s wire bytes", lengthAxis(), r.length(), Md.num(r.p50Ms(), 1),
                                Md.bytes(r.wireBytes())), FILE)));
        return new Section("Context-length scaling (scaling.json)", md.toString(), headlines);
    }
}
