package io.latentlink.bench.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** transport.json (TransportBench): KV chunks through the Share/Fuse streams against iperf3 on the same link. */
record TransportResults(String geometry, double iperf3GbPerS, String iperf3Note, List<Run> runs, FileGoals goals) {
    static final String FILE = "transport.json";
    private static final String IPERF3 = "iperf3 single stream";

    record Run(String path, String codec, String params, long tokens, long repeats, double rawBytes, double wireBytes,
               double secondsMedian, double rawGbPerS, double wireGbPerS, double wireVsIperf3) {
        String series() {
            return path + " " + codec + (params.isEmpty() ? "" : " (" + params + ")");
        }
    }

    static TransportResults parse(JsonNode root) {
        String geometry = Fields.anyAsText(root, "geometry", "-");
        double iperf3 = Double.NaN;
        String note = "not run";
        JsonNode ip = root.get("iperf3");
        if (ip != null && ip.isObject()) {
            if (ip.hasNonNull("gb_per_s")) {
                iperf3 = Fields.number(ip, "gb_per_s", FILE + ".iperf3");
                note = Fields.optionalText(ip, "command", FILE + ".iperf3", "iperf3");
            } else {
                note = "not measured: " + Fields.anyAsText(ip, "error", "no gb_per_s");
            }
        }
        List<Run> runs = new ArrayList<>();
        for (Fields.Located r : Fields.array(root, "runs", FILE)) {
            JsonNode n = r.node();
            String at = r.where();
            runs.add(new Run(Fields.text(n, "path", at), Fields.text(n, "codec", at), Fields.params(n, "codec_params", at),
                    Fields.integer(n, "tokens", at), Fields.optionalInteger(n, "repeats", at, 0),
                    Fields.number(n, "raw_bytes", at), Fields.number(n, "wire_bytes", at),
                    Fields.optionalNumber(n, "seconds_median", at), Fields.optionalNumber(n, "raw_gb_per_s", at),
                    Fields.number(n, "wire_gb_per_s", at), Fields.optionalNumber(n, "wire_vs_iperf3", at)));
        }
        return new TransportResults(geometry, iperf3, note, runs, FileGoals.parse(root, FILE));
    }

    /** The run that carries the goal: the fastest one-hop fp16 run with default codec parameters. */
    Run bestOneHopFp16() {
        return runs.stream().filter(r -> r.path().equals("one-hop") && r.codec().equals("fp16") && r.params().isEmpty())
                .max((a, b) -> Double.compare(a.wireGbPerS(), b.wireGbPerS())).orElse(null);
    }

    double vsIperf3(Run r) {
        return Double.isNaN(r.wireVsIperf3()) ? r.wireGbPerS() / iperf3GbPerS : r.wireVsIperf3();
    }

    Section render(Plots plots) {
        StringBuilder md = new StringBuilder();
        md.append("KV geometry: `").append(geometry).append("`. iperf3 single-stream loopback: ")
                .append(Double.isNaN(iperf3GbPerS) ? iperf3Note : Md.f("%.2f GB/s (`%s`)", iperf3GbPerS, iperf3Note))
                .append(".\n\n");
        List<List<String>> rows = new ArrayList<>();
        for (Run r : runs) {
            double vs = Double.isNaN(iperf3GbPerS) && Double.isNaN(r.wireVsIperf3()) ? Double.NaN : vsIperf3(r);
            rows.add(List.of(r.path(), r.codec(), r.params().isEmpty() ? "-" : r.params(), Long.toString(r.tokens()),
                    Long.toString(r.repeats()), Md.bytes(r.rawBytes()), Md.bytes(r.wireBytes()),
                    Md.num(r.secondsMedian(), 4), Md.num(r.rawGbPerS(), 2), Md.num(r.wireGbPerS(), 2),
                    Double.isNaN(vs) ? "-" : Md.f("%.0f%%", 100 * vs)));
        }
        md.append(Md.table(List.of("path", "codec", "params", "tokens", "repeats", "raw bytes", "wire bytes", "median s",
                "raw GB/s", "wire GB/s", "wire vs iperf3"), "lllrrrrrrrr", rows)).append('\n');

        if (!runs.isEmpty()) {
            Plots.SeriesBuilder wire = new Plots.SeriesBuilder();
            Plots.SeriesBuilder raw = new Plots.SeriesBuilder();
            for (Run r : runs) {
                wire.add(r.series(), r.tokens(), r.wireGbPerS());
                raw.add(r.series(), r.tokens(), r.rawGbPerS());
            }
            Map<String, double[][]> wireSeries = wire.build();
            if (!Double.isNaN(iperf3GbPerS)) {
                long min = runs.stream().mapToLong(Run::tokens).min().orElse(1);
                long max = runs.stream().mapToLong(Run::tokens).max().orElse(1);
                wireSeries.put(IPERF3, Plots.horizontal(iperf3GbPerS, min, max));
            }
            md.append(Md.image("wire GB/s vs tokens", "plots/" + plots.lines("transport-wire-gbps.png",
                    "Transport: wire GB/s vs tokens per chunk stream", "tokens", "wire GB/s", wireSeries, true, IPERF3)));
            md.append(Md.image("raw KV GB/s vs tokens", "plots/" + plots.lines("transport-raw-gbps.png",
                    "Transport: KV GB/s delivered (raw bytes) vs tokens", "tokens", "raw GB/s", raw.build(), true)));
        }
        List<Headline> headlines = new ArrayList<>();
        Run best = bestOneHopFp16();
        if (best != null) {
            headlines.add(new Headline("one-hop fp16 transport, best wire rate",
                    Md.f("%.2f GB/s at %d tokens", best.wireGbPerS(), best.tokens())
                            + (Double.isNaN(iperf3GbPerS) ? "" : Md.f(" (iperf3 %.2f GB/s)", iperf3GbPerS)), FILE));
        }
        return new Section("Transport (transport.json)", md.toString(), headlines);
    }
}
