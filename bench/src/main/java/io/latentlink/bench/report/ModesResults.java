package io.latentlink.bench.report;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import io.latentlink.bench.modes.Goals;
import io.latentlink.bench.modes.ModeSummary;
import io.latentlink.bench.modes.ModesReport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * modes.json (ModesBench) and its section modes.md. The goals are judged again from the per-mode numbers with the
 * benchmark's own {@link Goals}, so the verdicts cannot drift from the numbers shown.
 */
record ModesResults(ResultFile file, List<ModeSummary> summaries, List<Goals.Goal> goals) {
    static final String FILE = "modes.json";

    static ModesResults parse(ResultFile file) {
        JsonNode results = Fields.object(file.root(), "results", FILE);
        List<ModeSummary> summaries = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : results.properties()) {
            String at = FILE + ".results." + e.getKey();
            if (!e.getValue().isObject()) {
                throw new MalformedResultException(at + ": expected an object, found " + Fields.describe(e.getValue()));
            }
            // The record's own fields are required (a missing p50 must not read as 0 ms); extra ones are fine.
            for (String field : List.of("key", "label", "n", "accuracy", "p50Ms", "p95Ms", "wireBytesPerRequest")) {
                if (!e.getValue().has(field)) {
                    throw new MalformedResultException(at + "." + field + ": missing");
                }
            }
            try {
                summaries.add(ResultFile.JSON.readerFor(ModeSummary.class)
                        .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                        .with(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                        .readValue(e.getValue()));
            } catch (com.fasterxml.jackson.core.JacksonException ex) {
                throw new MalformedResultException(at + ": " + ex.getOriginalMessage(), ex);
            } catch (IOException ex) {
                throw new MalformedResultException(at + ": " + ex.getMessage(), ex);
            }
        }
        Map<String, ModeSummary> byKey = new LinkedHashMap<>();
        summaries.forEach(s -> byKey.put(s.key(), s));
        return new ModesResults(file, summaries, Goals.evaluate(byKey));
    }

    /**
     * modes.md as ModesBench wrote it, when it belongs to this modes.json (it names the same date); otherwise the same
     * section rebuilt from modes.json, so an older results folder or a stale modes.md still gives a true report.
     */
    String sectionText(Path resultsDir) {
        Path md = resultsDir.resolve(ModesReport.SECTION_FILE);
        String date = file.date();
        try {
            if (Files.isRegularFile(md)) {
                String text = Files.readString(md);
                if (text.contains(date)) {
                    return text;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + md + ": " + e.getMessage(), e);
        }
        Map<String, Object> machine = ResultFile.JSON.convertValue(file.root().path("machine").isObject()
                ? file.root().get("machine") : ResultFile.JSON.createObjectNode(), new TypeReference<>() {
        });
        Map<String, Object> settings = ResultFile.JSON.convertValue(file.root().path("settings").isObject()
                ? file.root().get("settings") : ResultFile.JSON.createObjectNode(), new TypeReference<>() {
        });
        if (settings.isEmpty()) {
            settings.put("settings", "not recorded");
        }
        return ModesReport.markdown(machine, file.commit(), date, file.command(), settings, summaries, goals,
                ModesReport.modelsNote(Fields.anyAsText(file.root(), "models", "not recorded")))
                + "\n(This section was rebuilt from modes.json: no modes.md of the same run was found.)\n";
    }

    Section render(Path resultsDir, Plots plots) {
        StringBuilder md = new StringBuilder(demote(sectionText(resultsDir))).append('\n');
        List<String> labels = summaries.stream().map(ModeSummary::label).toList();
        if (!summaries.isEmpty()) {
            md.append("### Plots\n\n");
            Map<String, List<Double>> accuracy = new LinkedHashMap<>();
            accuracy.put("accuracy %", summaries.stream().map(s -> 100 * s.accuracy()).toList());
            md.append(Md.image("accuracy per mode", "plots/" + plots.bars("modes-accuracy.png",
                    "Modes: accuracy (exact match)", "%", labels, accuracy, false)));

            Map<String, List<Double>> latency = new LinkedHashMap<>();
            latency.put("p50", summaries.stream().map(ModeSummary::p50Ms).toList());
            latency.put("p95", summaries.stream().map(ModeSummary::p95Ms).toList());
            md.append(Md.image("p50/p95 latency per mode", "plots/" + plots.bars("modes-latency.png",
                    "Modes: end-to-end latency", "ms", labels, latency, false)));

            Set<String> stages = new LinkedHashSet<>();
            summaries.forEach(s -> stages.addAll(s.meanStagesMs().keySet()));
            if (!stages.isEmpty()) {
                Map<String, List<Double>> stacked = new LinkedHashMap<>();
                for (String stage : stages) {
                    stacked.put(stage, summaries.stream().map(s -> s.meanStagesMs().getOrDefault(stage, 0.0)).toList());
                }
                md.append(Md.image("stage breakdown per mode", "plots/" + plots.bars("modes-stages.png",
                        "Modes: where the time goes (mean ms per request)", "ms", labels, stacked, true)));
            }

            List<ModeSummary> kv = summaries.stream().filter(s -> s.wireBytesPerRequest() > 0 && !"-".equals(s.codec())).toList();
            if (!kv.isEmpty()) {
                Map<String, List<Double>> bytes = new LinkedHashMap<>();
                bytes.put("wire", kv.stream().map(s -> s.wireBytesPerRequest() / 1e6).toList());
                bytes.put("raw KV", kv.stream().map(s -> s.rawBytesPerRequest() / 1e6).toList());
                md.append(Md.image("wire bytes per codec", "plots/" + plots.bars("modes-wire-bytes.png",
                        "Modes: KV bytes per request by codec", "MB (1e6 bytes)", kv.stream().map(ModeSummary::codec).toList(),
                        bytes, false)));
            }
        }
        List<Headline> headlines = new ArrayList<>();
        ModeSummary text = find("text");
        ModeSummary c2c = find(Goals.HEADLINE_C2C);
        if (text != null && c2c != null) {
            headlines.add(new Headline("C2C fp16 vs TEXT, p50 latency", Md.f("%.1f vs %.1f ms (%.2f x)", c2c.p50Ms(),
                    text.p50Ms(), c2c.p50Ms() / text.p50Ms()), FILE));
            headlines.add(new Headline("C2C fp16 vs TEXT, accuracy", Md.f("%.1f%% vs %.1f%% (n = %d)", 100 * c2c.accuracy(),
                    100 * text.accuracy(), c2c.n()), FILE));
        }
        ModeSummary int8 = find("c2c_int8");
        if (c2c != null && int8 != null) {
            headlines.add(new Headline("KV wire bytes per request, int8 vs fp16", Md.f("%s vs %s (%.3f x)",
                    Md.bytes(int8.wireBytesPerRequest()), Md.bytes(c2c.wireBytesPerRequest()),
                    int8.wireBytesPerRequest() / c2c.wireBytesPerRequest()), FILE));
        }
        return new Section("Modes (modes.json)", md.toString(), headlines);
    }

    private ModeSummary find(String key) {
        return summaries.stream().filter(s -> s.key().equals(key)).findFirst().orElse(null);
    }

    /** modes.md is a document of its own; inside REPORT.md its headings go one level down and its title goes. */
    static String demote(String markdown) {
        StringBuilder out = new StringBuilder();
        boolean inCode = false;
        for (String line : markdown.split("\n", -1)) {
            if (line.startsWith("```")) {
                inCode = !inCode;
            }
            if (!inCode && line.startsWith("# ")) {
                continue;
            }
            out.append(!inCode && line.startsWith("#") ? "#" + line : line).append('\n');
        }
        return out.toString().strip() + "\n";
    }
}
