package io.latentlink.bench.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** core-jmh.json (bench/run-core-jmh.sh): JMH's own JSON results under "jmh", one row per benchmark. */
record CoreJmhResults(String note, List<Bench> benches) {
    static final String FILE = "core-jmh.json";

    record Bench(String benchmark, String params, Map<String, String> paramMap, double score, double error, String unit,
                 String secondary, double bytesPerS) {
        String shortName() {
            String[] parts = benchmark.split("\\.");
            return parts.length >= 2 ? parts[parts.length - 2] + "." + parts[parts.length - 1] : benchmark;
        }
    }

    static CoreJmhResults parse(JsonNode root) {
        List<Fields.Located> entries = Fields.array(root, "jmh", FILE);
        List<Bench> benches = new ArrayList<>();
        for (Fields.Located e : entries) {
            JsonNode n = e.node();
            String at = e.where();
            JsonNode primary = Fields.object(n, "primaryMetric", at);
            Map<String, String> params = new java.util.LinkedHashMap<>();
            JsonNode p = n.get("params");
            if (p != null && p.isObject()) {
                p.properties().forEach(x -> params.put(x.getKey(), x.getValue().asText()));
            }
            StringBuilder secondary = new StringBuilder();
            double bytes = Double.NaN;
            JsonNode sec = n.get("secondaryMetrics");
            if (sec != null && sec.isObject()) {
                for (Map.Entry<String, JsonNode> m : sec.properties()) {
                    double s = Fields.number(m.getValue(), "score", at + ".secondaryMetrics." + m.getKey());
                    String unit = m.getKey().equals("bytes") ? Md.f("%.2f GB/s", s / 1e9) : Md.f("%,.0f %s/s", s, m.getKey());
                    secondary.append(secondary.isEmpty() ? "" : ", ").append(unit);
                    if (m.getKey().equals("bytes")) {
                        bytes = s;
                    }
                }
            }
            benches.add(new Bench(Fields.text(n, "benchmark", at), params.toString().replaceAll("[{}]", ""), params,
                    Fields.number(primary, "score", at + ".primaryMetric"), Fields.optionalNumber(primary, "scoreError", at + ".primaryMetric"),
                    Fields.optionalText(primary, "scoreUnit", at + ".primaryMetric", "-"), secondary.toString(), bytes));
        }
        return new CoreJmhResults(Fields.anyAsText(root, "note", ""), benches);
    }

    /**
     * The int8 codec goal from JMH, if core-jmh.json holds codec benchmarks (a name with "codec", an int8 parameter,
     * encode/decode methods and a "bytes" counter); null when it does not.
     */
    Goal int8Goal(String goalText) {
        double encode = Double.NaN;
        double decode = Double.NaN;
        for (Bench b : benches) {
            String name = b.benchmark().toLowerCase(Locale.ROOT);
            if (!name.contains("codec") || !b.paramMap().containsValue("int8") || Double.isNaN(b.bytesPerS())) {
                continue;
            }
            double gbs = b.bytesPerS() / 1e9;
            if (name.endsWith("encode")) {
                encode = Double.isNaN(encode) ? gbs : Math.min(encode, gbs);
            } else if (name.endsWith("decode")) {
                decode = Double.isNaN(decode) ? gbs : Math.min(decode, gbs);
            }
        }
        if (Double.isNaN(encode) || Double.isNaN(decode)) {
            return null;
        }
        return new Goal(goalText, FILE, Md.f("JMH, one thread: encode %.2f GB/s, decode %.2f GB/s (slowest int8 runs)", encode, decode),
                encode >= 1.0 && decode >= 1.0);
    }

    Section render() {
        List<List<String>> rows = new ArrayList<>();
        for (Bench b : benches) {
            rows.add(List.of(b.shortName(), b.params(), Md.num(b.score(), 2) + (Double.isNaN(b.error()) ? "" : " ± " + Md.num(b.error(), 2)),
                    b.unit(), b.secondary().isEmpty() ? "-" : b.secondary()));
        }
        String md = (note.isEmpty() ? "" : note + "\n\n")
                + Md.table(List.of("benchmark", "params", "score", "unit", "secondary"), "llrll", rows);
        return new Section("Core JMH (core-jmh.json)", md, List.of());
    }
}
