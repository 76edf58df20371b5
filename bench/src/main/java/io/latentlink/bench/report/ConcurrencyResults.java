package io.latentlink.bench.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** concurrency.json (ConcurrencyBench): throughput, tail latency and each node's memory high-water vs concurrency. */
record ConcurrencyResults(List<Run> runs) {
    static final String FILE = "concurrency.json";

    record Run(long concurrency, String mode, String codec, long requests, double seconds, double throughputRps,
               double p50Ms, double p95Ms, double p99Ms, long errors, Map<String, Double> peakHeap,
               Map<String, Double> peakOffHeap) {
        String config() {
            return codec == null ? mode : mode + " " + codec;
        }
    }

    static ConcurrencyResults parse(JsonNode root) {
        List<Run> runs = new ArrayList<>();
        for (Fields.Located r : Fields.array(root, "runs", FILE)) {
            JsonNode n = r.node();
            String at = r.where();
            runs.add(new Run(Fields.integer(n, "concurrency", at), Fields.text(n, "mode", at),
                    Fields.optionalText(n, "codec", at, null), Fields.optionalInteger(n, "requests", at, 0),
                    Fields.optionalNumber(n, "seconds", at), Fields.number(n, "throughput_rps", at),
                    Fields.optionalNumber(n, "p50_ms", at), Fields.optionalNumber(n, "p95_ms", at),
                    Fields.number(n, "p99_ms", at), Fields.optionalInteger(n, "errors", at, 0),
                    Fields.numberMap(n, "peak_heap_bytes", at), Fields.numberMap(n, "peak_offheap_bytes", at)));
        }
        return new ConcurrencyResults(runs);
    }

    Section render(Plots plots) {
        Set<String> nodes = new LinkedHashSet<>();
        runs.forEach(r -> {
            nodes.addAll(r.peakHeap().keySet());
            nodes.addAll(r.peakOffHeap().keySet());
        });
        List<String> header = new ArrayList<>(List.of("mode", "codec", "concurrency", "requests", "seconds", "requests/s",
                "p50 ms", "p95 ms", "p99 ms", "errors"));
        nodes.forEach(node -> header.add(node + " heap MiB"));
        nodes.forEach(node -> header.add(node + " off-heap MiB"));
        List<List<String>> rows = new ArrayList<>();
        for (Run r : runs) {
            List<String> row = new ArrayList<>(List.of(r.mode(), r.codec() == null ? "-" : r.codec(),
                    Long.toString(r.concurrency()), Long.toString(r.requests()), Md.num(r.seconds(), 2),
                    Md.num(r.throughputRps(), 2), Md.num(r.p50Ms(), 1), Md.num(r.p95Ms(), 1), Md.num(r.p99Ms(), 1),
                    Long.toString(r.errors())));
            nodes.forEach(node -> row.add(Md.mib(r.peakHeap().getOrDefault(node, Double.NaN))));
            nodes.forEach(node -> row.add(Md.mib(r.peakOffHeap().getOrDefault(node, Double.NaN))));
            rows.add(row);
        }
        StringBuilder md = new StringBuilder(Md.table(header, "ll" + "r".repeat(header.size() - 2), rows)).append('\n');

        if (!runs.isEmpty()) {
            Plots.SeriesBuilder throughput = new Plots.SeriesBuilder();
            Plots.SeriesBuilder p99 = new Plots.SeriesBuilder();
            Plots.SeriesBuilder memory = new Plots.SeriesBuilder();
            boolean oneConfig = runs.stream().map(Run::config).distinct().count() == 1;
            for (Run r : runs) {
                throughput.add(r.config(), r.concurrency(), r.throughputRps());
                p99.add(r.config(), r.concurrency(), r.p99Ms());
                String suffix = oneConfig ? "" : " (" + r.config() + ")";
                r.peakHeap().forEach((node, b) -> memory.add(node + " heap" + suffix, r.concurrency(), b / (1024.0 * 1024.0)));
                r.peakOffHeap().forEach((node, b) -> memory.add(node + " off-heap" + suffix, r.concurrency(), b / (1024.0 * 1024.0)));
            }
            md.append(Md.image("throughput vs concurrency", "plots/" + plots.lines("concurrency-throughput.png",
                    "Concurrency: throughput", "concurrent calls", "requests/s", throughput.build(), false)));
            md.append(Md.image("p99 vs concurrency", "plots/" + plots.lines("concurrency-p99.png",
                    "Concurrency: p99 latency", "concurrent calls", "p99 ms", p99.build(), false)));
            if (!memory.isEmpty()) {
                md.append(Md.image("memory high-water vs concurrency", "plots/" + plots.lines("concurrency-memory.png",
                        "Concurrency: heap and off-heap high-water per node", "concurrent calls", "MiB", memory.build(), false)));
            }
        }
        List<Headline> headlines = new ArrayList<>();
        runs.stream().max((a, b) -> Double.compare(a.throughputRps(), b.throughputRps()))
                .ifPresent(r -> headlines.add(new Headline("highest throughput",
                        Md.f("%s requests/s, %s at concurrency %d (p99 %s ms)", Md.num(r.throughputRps(), 2), r.config(),
                                r.concurrency(), Md.num(r.p99Ms(), 1)), FILE)));
        return new Section("Concurrency (concurrency.json)", md.toString(), headlines);
    }
}
