package io.latentlink.bench.modes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentlink.bench.scaling.Args;
import io.latentlink.core.eval.LinkQaDataset;
import io.latentlink.core.eval.LinkQaItem;
import io.latentlink.core.link.LinkMode;
import io.latentlink.demo.NodeLauncher;
import io.latentlink.proto.v1.Mode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the LinkQA-context test split (passage in the sharer's script) through the three nodes as separate JVMs on
 * loopback in RECEIVER_ONLY, TEXT and C2C once per codec, and through core's in-process C2C in this JVM, and writes
 * {@code modes.json} and its report section {@code modes.md} (which {@code io.latentlink.bench.report.ReportMain} puts
 * into the suite's REPORT.md).
 * <p>
 * Questions are asked one at a time and interleaved across configurations (question 1 in every mode and in process,
 * then question 2, ...), so a change in the machine's background load lands on all of them alike.
 * <p>
 * Usage: {@code ModesBench [--limit N] [--warmup N] [--max-tokens N] [--codecs fp32,fp16,int8,int8z] [--chunk-tokens N]
 * [--no-inprocess] [--repo DIR] [--out DIR]}
 */
public final class ModesBench {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final String USAGE = "usage: ModesBench [--limit N (0 = all)] [--warmup N] [--max-tokens N] [--codecs fp32,fp16,int8,int8z]"
            + " [--chunk-tokens N] [--no-inprocess] [--repo DIR] [--out DIR]";

    /** One distributed configuration: a mode and, for C2C, a codec. */
    record Config(String key, String label, Mode mode, String codec) {
    }

    record Settings(int limit, int warmup, int maxTokens, List<String> codecs, int chunkTokens, boolean inProcess,
                    Path repo, Path out) {

        static Settings parse(String... args) {
            int limit = 60;
            int warmup = 2;
            int maxTokens = 16;
            List<String> codecs = List.of("fp32", "fp16", "int8");
            int chunkTokens = 32;
            boolean inProcess = true;
            Path repo = Path.of("").toAbsolutePath();
            Path out = null;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--no-inprocess")) {
                    inProcess = false;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a.startsWith("--") ? a + " needs a value" : "unknown argument " + a);
                }
                String v = args[++i];
                switch (a) {
                    case "--limit" -> limit = Args.atLeastZero(a, v);
                    case "--warmup" -> warmup = Args.atLeastZero(a, v);
                    case "--max-tokens" -> maxTokens = Args.positive(a, v);
                    case "--codecs" -> codecs = List.of(v.split(",", -1));
                    case "--chunk-tokens" -> chunkTokens = Args.positive(a, v);
                    case "--repo" -> repo = Path.of(v).toAbsolutePath();
                    case "--out" -> out = Path.of(v).toAbsolutePath();
                    default -> throw new IllegalArgumentException("unknown argument " + a);
                }
            }
            if (codecs.isEmpty() || codecs.stream().anyMatch(String::isBlank)) {
                throw new IllegalArgumentException("--codecs needs a comma-separated list, e.g. fp32,fp16,int8");
            }
            for (String codec : codecs) {
                // A typo would otherwise cost a whole run of failed requests.
                if (!io.latentlink.core.codec.CodecRegistry.standard().contains(codec)) {
                    throw new IllegalArgumentException("--codecs: unknown codec '" + codec + "'; known: "
                            + io.latentlink.core.codec.CodecRegistry.standard().ids());
                }
            }
            return new Settings(limit, warmup, maxTokens, codecs, chunkTokens, inProcess, repo,
                    out != null ? out : repo.resolve("bench/results"));
        }

        List<Config> configs() {
            List<Config> list = new ArrayList<>();
            list.add(new Config("receiver_only", "RECEIVER_ONLY", Mode.RECEIVER_ONLY, "-"));
            list.add(new Config("text", "TEXT", Mode.TEXT, "-"));
            for (String codec : codecs) {
                list.add(new Config("c2c_" + codec, "C2C " + codec, Mode.C2C, codec));
            }
            return list;
        }
    }

    public static void main(String[] args) throws Exception {
        Settings settings;
        try {
            settings = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ModesBench: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        Path models = settings.repo().resolve("models");
        List<LinkQaItem> items = LinkQaDataset.read(models.resolve("linkqa/context-test.jsonl")).stream()
                .filter(i -> "script".equals(i.form())).toList();
        if (settings.limit() > 0 && items.size() > settings.limit()) {
            items = items.subList(0, settings.limit());
        }
        if (items.isEmpty()) {
            throw new IllegalStateException("no script-form questions in " + models.resolve("linkqa/context-test.jsonl"));
        }
        Map<String, Object> machine = MachineInfo.collect(settings.repo());
        String commit = MachineInfo.gitCommit(settings.repo());
        String started = Instant.now().toString();

        List<Config> configs = settings.configs();
        Map<String, List<ModeSample>> samples = new LinkedHashMap<>();
        configs.forEach(c -> samples.put(c.key(), new ArrayList<>()));
        Map<String, String> modelHashes = new LinkedHashMap<>();
        // In process twice: ORT's default threads (as the nodes run) and one intra-op thread per session, because on a
        // small shared machine the default pools (one per session, spinning) contend with each other in one process.
        Map<String, InProcessClient> inProcess = new LinkedHashMap<>();
        try {
            if (settings.inProcess()) {
                inProcess.put("c2c_inprocess", InProcessClient.open(models, 0, settings.chunkTokens(), settings.maxTokens()));
                inProcess.put("c2c_inprocess_1t", InProcessClient.open(models, 1, settings.chunkTokens(), settings.maxTokens()));
                modelHashes.put("rx", inProcess.get("c2c_inprocess").receiverSha256());
                modelHashes.put("sx", inProcess.get("c2c_inprocess").sharerSha256());
                inProcess.keySet().forEach(k -> samples.put(k, new ArrayList<>()));
            }
            // Loaded before the nodes start and asked in the same loop, so both sides see the same background load.
            run(settings, models, items, configs, samples, inProcess);
        } finally {
            inProcess.values().forEach(InProcessClient::close);
        }

        List<ModeSummary> summaries = new ArrayList<>();
        for (Config c : configs) {
            summaries.add(ModeSummary.of(c.key(), c.label(), c.mode().name(), c.codec(), samples.get(c.key())));
        }
        if (settings.inProcess()) {
            summaries.add(ModeSummary.of("c2c_inprocess", "C2C in-process", "C2C", "-", samples.get("c2c_inprocess")));
            summaries.add(ModeSummary.of("c2c_inprocess_1t", "C2C in-process, 1 thread", "C2C", "-", samples.get("c2c_inprocess_1t")));
        }
        Map<String, ModeSummary> byKey = new LinkedHashMap<>();
        summaries.forEach(s -> byKey.put(s.key(), s));
        List<Goals.Goal> goals = Goals.evaluate(byKey);
        machine.put("load_average_at_end", MachineInfo.loadAverage());

        String command = "ModesBench " + String.join(" ", args);
        Map<String, Object> settingsOut = new LinkedHashMap<>();
        settingsOut.put("split", "linkqa/context-test.jsonl, form=script");
        settingsOut.put("questions", items.size());
        settingsOut.put("warmup_per_mode", settings.warmup());
        settingsOut.put("max_tokens", settings.maxTokens());
        settingsOut.put("chunk_tokens", settings.chunkTokens());
        settingsOut.put("concurrency", 1);
        settingsOut.put("node_jvm", "-Xmx1g, ORT CPU default threads (latentlink.session=cpu)");
        settingsOut.put("inprocess_session", "SessionConfig.defaults() (as the nodes), and cpu(1) for the 1-thread variant");
        String modelsNote = ModesReport.modelsNote(modelsVersion(models));

        Files.createDirectories(settings.out());
        ObjectNode root = JSON.createObjectNode();
        root.put("date", started);
        root.put("command", command);
        root.put("commit", commit);
        root.set("machine", JSON.valueToTree(machine));
        root.set("settings", JSON.valueToTree(settingsOut));
        root.put("models", modelsVersion(models));
        root.set("model_sha256", JSON.valueToTree(modelHashes));
        ObjectNode results = root.putObject("results");
        summaries.forEach(s -> results.set(s.key(), JSON.valueToTree(s)));
        root.set("goals", JSON.valueToTree(goals));
        root.set("inprocess_ratio", ratios(byKey));
        ArrayNode questions = root.putArray("questions");
        for (int q = 0; q < items.size(); q++) {
            ObjectNode row = questions.addObject().put("id", items.get(q).id()).put("truth", items.get(q).answer());
            ObjectNode answers = row.putObject("answers");
            for (Map.Entry<String, List<ModeSample>> e : samples.entrySet()) {
                ModeSample s = e.getValue().get(q);
                answers.put(e.getKey(), s.error() != null ? "ERROR " + s.error() : s.answer());
            }
        }
        Files.writeString(settings.out().resolve("modes.json"), JSON.writeValueAsString(root) + "\n");
        String report = ModesReport.markdown(machine, commit, started, command, settingsOut, summaries, goals, modelsNote);
        Files.writeString(settings.out().resolve(ModesReport.SECTION_FILE), report);
        System.out.println(report);
        System.out.println("wrote " + settings.out().resolve("modes.json") + " and " + settings.out().resolve(ModesReport.SECTION_FILE)
                + " (io.latentlink.bench.report.ReportMain puts it into REPORT.md)");
    }

    /**
     * Starts the nodes and asks every question in every distributed configuration and through every
     * {@code inProcess} client right after: question by question, so a change in background load hits all alike.
     */
    private static void run(Settings settings, Path models, List<LinkQaItem> items, List<Config> configs,
                            Map<String, List<ModeSample>> samples, Map<String, InProcessClient> inProcess) throws Exception {
        Path repo = settings.repo();
        Path logs = repo.resolve("bench/target/modes-logs");
        Map<String, String> common = Map.of("latentlink.models-dir", models.toString(),
                "latentlink.chunk-tokens", Integer.toString(settings.chunkTokens()));
        System.err.println("starting sender, projector and receiver as separate JVMs (logs: " + logs + ")");
        try (NodeLauncher sender = NodeLauncher.start(repo, "sender-node", common, logs);
             NodeLauncher projector = NodeLauncher.start(repo, "projector-node", common, logs)) {
            sender.awaitServing(180);
            projector.awaitServing(180);
            Map<String, String> receiverSettings = new LinkedHashMap<>(common);
            receiverSettings.put("latentlink.sender-endpoint", sender.endpoint());
            receiverSettings.put("latentlink.projector-endpoint", projector.endpoint());
            try (NodeLauncher receiver = NodeLauncher.start(repo, "receiver-node", receiverSettings, logs)) {
                receiver.awaitServing(180);
                NodeClient client = new NodeClient(receiver.channel, settings.maxTokens());
                for (int w = 0; w < settings.warmup(); w++) {
                    LinkQaItem item = items.get(w % items.size());
                    for (Config c : configs) {
                        client.ask(item, c.mode(), codecOf(c));
                    }
                    inProcess.values().forEach(local -> local.ask(item, LinkMode.C2C));
                }
                for (int q = 0; q < items.size(); q++) {
                    for (Config c : configs) {
                        samples.get(c.key()).add(client.ask(items.get(q), c.mode(), codecOf(c)));
                    }
                    LinkQaItem item = items.get(q);
                    inProcess.forEach((key, local) -> samples.get(key).add(local.ask(item, LinkMode.C2C)));
                    progress(q, items.size());
                }
            }
        }
    }

    /** RECEIVER_ONLY and TEXT carry no KV; the node's default codec is sent for them. */
    private static String codecOf(Config c) {
        return c.mode() == Mode.C2C ? c.codec() : "";
    }

    /** Distributed C2C over each in-process variant, at p50 and p95. */
    private static ObjectNode ratios(Map<String, ModeSummary> byKey) {
        ObjectNode o = JSON.createObjectNode();
        for (ModeSummary in : byKey.values()) {
            if (!in.key().startsWith("c2c_inprocess") || !(in.p50Ms() > 0)) {
                continue;
            }
            ObjectNode per = o.putObject(in.key());
            byKey.values().stream().filter(s -> s.key().startsWith("c2c_") && !s.key().startsWith("c2c_inprocess")).forEach(s ->
                    per.putObject(s.key()).put("p50", s.p50Ms() / in.p50Ms()).put("p95", s.p95Ms() / in.p95Ms()));
        }
        return o;
    }

    private static String modelsVersion(Path models) {
        try {
            JsonNode m = JSON.readTree(models.resolve("MANIFEST.json").toFile()).path("models");
            StringBuilder s = new StringBuilder("MANIFEST.json:");
            m.properties().forEach(e -> s.append(' ').append(e.getKey()).append(" step ").append(e.getValue().path("step").asText("?"))
                    .append(e.getValue().path("final").asBoolean(false) ? " final" : "").append(','));
            s.setLength(s.length() - 1);
            return s.toString();
        } catch (Exception e) {
            return "MANIFEST.json unreadable: " + e.getMessage();
        }
    }

    private static void progress(int q, int n) {
        if ((q + 1) % 10 == 0 || q + 1 == n) {
            System.err.printf("  %d/%d questions%n", q + 1, n);
        }
    }
}
