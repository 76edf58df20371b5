package io.latentlink.bench.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** codecs.json (codec JMH and ratios): encode/decode GB/s per codec and shape, wire size against fp16. */
record CodecsResults(List<Run> runs, List<RealRatio> realKv) {
    static final String FILE = "codecs.json";

    record Run(String codec, String params, String shape, String data, double encodeGbPerS, double decodeGbPerS,
               double encodeError, double decodeError, double bytesPerValue, double ratioVsFp16) {
        /** The nodes' int8: per-token scales stored as fp16 (core's default), or no parameters written at all. */
        boolean defaultInt8() {
            return codec.equals("int8") && (params.isEmpty()
                    || params.contains("scales=per_token") && (!params.contains("scale_type") || params.contains("scale_type=fp16")));
        }

        String variant() {
            return params.isEmpty() ? codec : codec + " (" + params + ")";
        }

        /**
         * A plot axis label: the parameter values without their names, the shape, and for real KV the first two
         * words of the data (e.g. "rx K"); the table below the plot has the full wording.
         */
        String shortLabel() {
            String[] words = data.split("\\s+");
            String what = "synthetic".equals(data) || "-".equals(data) ? ""
                    : " " + String.join(" ", java.util.Arrays.copyOf(words, Math.min(2, words.length)));
            return shortVariant(codec, params) + " " + shape + what;
        }
    }

    /** @param kv which part of the cache ("K", "V", "K+V"), "-" when the file does not say */
    record RealRatio(String model, String kv, String codec, String params, double rawBytes, double wireBytes,
                     double ratioVsFp16, double relRmse) {
        String label() {
            return model + ("-".equals(kv) ? "" : " " + kv) + " " + (params.isEmpty() ? codec : codec + " (" + params + ")");
        }
    }

    static CodecsResults parse(JsonNode root) {
        List<Run> runs = new ArrayList<>();
        for (Fields.Located r : Fields.array(root, "runs", FILE)) {
            JsonNode n = r.node();
            String at = r.where();
            runs.add(new Run(Fields.text(n, "codec", at), Fields.params(n, "codec_params", at),
                    Fields.anyAsText(n, "shape", "-"), Fields.anyAsText(n, "data", "-"),
                    Fields.number(n, "encode_gb_per_s", at), Fields.number(n, "decode_gb_per_s", at),
                    Fields.optionalNumber(n, "encode_error", at), Fields.optionalNumber(n, "decode_error", at),
                    Fields.optionalNumber(n, "bytes_per_value", at), Fields.optionalNumber(n, "ratio_vs_fp16", at)));
        }
        List<RealRatio> real = new ArrayList<>();
        for (Fields.Located r : Fields.optionalArray(root, "real_kv_ratios", FILE)) {
            JsonNode n = r.node();
            String at = r.where();
            real.add(new RealRatio(Fields.anyAsText(n, "model", "-"), Fields.anyAsText(n, "kv", "-"), Fields.text(n, "codec", at),
                    Fields.params(n, "codec_params", at), Fields.optionalNumber(n, "raw_bytes", at),
                    Fields.optionalNumber(n, "wire_bytes", at), Fields.number(n, "ratio_vs_fp16", at),
                    Fields.optionalNumber(n, "rel_rmse", at)));
        }
        return new CodecsResults(runs, real);
    }

    /**
     * The int8 speed goal: the slowest encode and the slowest decode over the int8 runs with the default scales
     * (per-token, fp16 or unnamed scale type, or no parameters); every int8 run when there are none such. JMH runs one thread, so GB/s is per core.
     */
    Goal int8Goal(String goalText) {
        List<Run> int8 = runs.stream().filter(r -> r.codec().equals("int8")).toList();
        List<Run> defaults = int8.stream().filter(Run::defaultInt8).toList();
        List<Run> judged = defaults.isEmpty() ? int8 : defaults;
        if (judged.isEmpty()) {
            return Goal.notMeasured(goalText, FILE, "no int8 run in codecs.json");
        }
        Run enc = judged.stream().min((a, b) -> Double.compare(a.encodeGbPerS(), b.encodeGbPerS())).orElseThrow();
        Run dec = judged.stream().min((a, b) -> Double.compare(a.decodeGbPerS(), b.decodeGbPerS())).orElseThrow();
        // JMH's error is shown beside each score: on a loaded machine it can exceed the score, and the reader must see that.
        return new Goal(goalText, FILE, Md.f("slowest of %d int8 run(s): encode %.2f%s GB/s (%s, %s %s), decode %.2f%s GB/s (%s, %s %s)",
                judged.size(), enc.encodeGbPerS(), error(enc.encodeError()), enc.variant(), enc.shape(), enc.data(),
                dec.decodeGbPerS(), error(dec.decodeError()), dec.variant(), dec.shape(), dec.data()),
                enc.encodeGbPerS() >= 1.0 && dec.decodeGbPerS() >= 1.0);
    }

    Section render(Plots plots) {
        List<List<String>> rows = new ArrayList<>();
        for (Run r : runs) {
            rows.add(List.of(r.codec(), r.params().isEmpty() ? "-" : r.params(), r.shape(), r.data(),
                    Md.num(r.encodeGbPerS(), 2) + (Double.isNaN(r.encodeError()) ? "" : " ± " + Md.num(r.encodeError(), 2)),
                    Md.num(r.decodeGbPerS(), 2) + (Double.isNaN(r.decodeError()) ? "" : " ± " + Md.num(r.decodeError(), 2)),
                    Md.num(r.bytesPerValue(), 3), Md.num(r.ratioVsFp16(), 3)));
        }
        StringBuilder md = new StringBuilder(Md.table(List.of("codec", "params", "shape", "data", "encode GB/s",
                "decode GB/s", "bytes/value", "ratio vs fp16"), "llllrrrr", rows)).append('\n');
        if (!realKv.isEmpty()) {
            List<List<String>> real = new ArrayList<>();
            for (RealRatio r : realKv) {
                real.add(List.of(r.model(), r.kv(), r.codec(), r.params().isEmpty() ? "-" : r.params(), Md.bytes(r.rawBytes()),
                        Md.bytes(r.wireBytes()), Md.num(r.ratioVsFp16(), 3), Md.num(r.relRmse(), 5)));
            }
            md.append("On the demo models' real KV:\n\n").append(Md.table(List.of("model", "kv", "codec", "params", "raw bytes",
                    "wire bytes", "ratio vs fp16", "relative RMSE"), "llllrrrr", real)).append('\n');
        }
        if (!runs.isEmpty()) {
            List<String> categories = new ArrayList<>();
            List<Double> encode = new ArrayList<>();
            List<Double> decode = new ArrayList<>();
            for (Run r : runs) {
                categories.add(r.shortLabel());
                encode.add(r.encodeGbPerS());
                decode.add(r.decodeGbPerS());
            }
            Map<String, List<Double>> speed = new LinkedHashMap<>();
            speed.put("encode", encode);
            speed.put("decode", decode);
            md.append(Md.image("encode/decode GB/s per codec", "plots/" + plots.bars("codecs-throughput.png",
                    "Codecs: encode / decode GB/s (one thread)", "GB/s", unique(categories), speed, false)));

            // One bar per codec variant (the ratio does not depend on the shape beyond rounding); real KV beside it.
            Map<String, Double> synthetic = new LinkedHashMap<>();
            runs.forEach(r -> synthetic.putIfAbsent(shortVariant(r.codec(), r.params()), r.ratioVsFp16()));
            Map<String, Double> real = new LinkedHashMap<>();
            // The whole payload (K+V) where the file splits keys and values; the table has the parts.
            boolean whole = realKv.stream().anyMatch(r -> r.kv().equals("K+V"));
            realKv.stream().filter(r -> !whole || r.kv().equals("K+V"))
                    .forEach(r -> real.putIfAbsent(r.model() + " " + shortVariant(r.codec(), r.params()), r.ratioVsFp16()));
            List<String> ratioCategories = new ArrayList<>(synthetic.keySet());
            Map<String, List<Double>> ratio = new LinkedHashMap<>();
            ratio.put("benchmark data", new ArrayList<>(synthetic.values()));
            if (!real.isEmpty()) {
                ratioCategories.addAll(real.keySet());
                List<Double> padded = new ArrayList<>(synthetic.values());
                real.keySet().forEach(k -> padded.add(Double.NaN));
                ratio.put("benchmark data", padded);
                List<Double> realValues = new ArrayList<>();
                synthetic.keySet().forEach(k -> realValues.add(Double.NaN));
                realValues.addAll(real.values());
                ratio.put("real KV", realValues);
            }
            md.append(Md.image("ratio vs fp16 per codec", "plots/" + plots.bars("codecs-ratio.png",
                    "Codecs: ratio vs fp16 (as codecs.json reports it; real KV: K+V payloads)", "ratio vs fp16", ratioCategories, ratio, false)));
        }
        List<Headline> headlines = new ArrayList<>();
        runs.stream().filter(Run::defaultInt8).findFirst().ifPresent(r -> headlines.add(new Headline(
                "int8 codec speed, one thread", Md.f("encode %.2f GB/s, decode %.2f GB/s (%s, %s)", r.encodeGbPerS(),
                r.decodeGbPerS(), r.variant(), r.shape()), FILE)));
        return new Section("Codecs (codecs.json)", md.toString(), headlines);
    }

    private static String error(double e) {
        return Double.isNaN(e) ? "" : Md.f(" ± %.2f", e);
    }

    /** "int8 fp16/per_token": the codec and its parameter values without their names, for plot axes. */
    static String shortVariant(String codec, String params) {
        return params.isEmpty() ? codec : codec + " " + String.join("/", java.util.Arrays.stream(params.split(", "))
                .map(kv -> kv.substring(kv.indexOf('=') + 1)).toList());
    }

    /** Category labels must be distinct for XChart; repeats get a counter. */
    private static List<String> unique(List<String> labels) {
        Map<String, Integer> seen = new LinkedHashMap<>();
        List<String> out = new ArrayList<>();
        for (String l : labels) {
            int k = seen.merge(l, 1, Integer::sum);
            out.add(k == 1 ? l : l + " #" + k);
        }
        return out;
    }
}
