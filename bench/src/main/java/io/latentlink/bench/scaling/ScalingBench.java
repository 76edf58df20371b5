package io.latentlink.bench.scaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentlink.bench.modes.MachineInfo;
import io.latentlink.core.eval.LinkQaDataset;
import io.latentlink.core.eval.LinkQaItem;
import io.latentlink.core.link.InProcessLink;
import io.latentlink.core.tokenizer.TextTokenizer;
import io.latentlink.proto.v1.Mode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * End-to-end latency, KV bytes and each node's memory high-water against context length, through the three nodes
 * as JVMs on loopback with the demo models. Long contexts are LinkQA test passages put one after another (see
 * {@link LongContextPrompts}); a length is a budget in sharer tokens, which for the byte-level sharer are the
 * prompt's UTF-8 bytes plus BOS, up to its context length. Each point's requests run back to back between a
 * reset_peak and a read of Node.Status, so its memory peaks are its own. Writes {@code scaling.json}.
 */
public final class ScalingBench {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final String USAGE = "usage: ScalingBench [--lengths 160,256,352,440,512 (sharer tokens)] [--modes RECEIVER_ONLY,TEXT,C2C]"
            + " [--codecs fp16,int8] [--requests N per point] [--warmup N] [--max-tokens N] [--chunk-tokens N]"
            + " [--credit-window N] [--repo DIR] [--out DIR]";

    /** One configuration: a mode and, for C2C, a codec (null otherwise). */
    record Config(Mode mode, String codec) {
        String label() {
            return codec == null ? mode.name() : mode.name() + " " + codec;
        }
    }

    record Settings(List<Integer> lengths, List<Mode> modes, List<String> codecs, int requests, int warmup,
                    int maxTokens, int chunkTokens, int creditWindow, Path repo, Path out) {

        static Settings parse(String... args) {
            List<Integer> lengths = List.of(160, 256, 352, 440, 512);
            List<Mode> modes = List.of(Mode.RECEIVER_ONLY, Mode.TEXT, Mode.C2C);
            List<String> codecs = List.of("fp16", "int8");
            int requests = 10;
            int warmup = 2;
            int maxTokens = 16;
            int chunkTokens = 32;
            int creditWindow = 2;
            Path repo = Path.of("").toAbsolutePath();
            Path out = null;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a.startsWith("--") ? a + " needs a value" : "unknown argument " + a);
                }
                String v = args[++i];
                switch (a) {
                    case "--lengths" -> lengths = Args.ints(a, v);
                    case "--modes" -> modes = modes(v);
                    case "--codecs" -> codecs = Args.list(a, v);
                    case "--requests" -> requests = Args.positive(a, v);
                    case "--warmup" -> warmup = Args.atLeastZero(a, v);
                    case "--max-tokens" -> maxTokens = Args.positive(a, v);
                    case "--chunk-tokens" -> chunkTokens = Args.positive(a, v);
                    case "--credit-window" -> creditWindow = Args.positive(a, v);
                    case "--repo" -> repo = Path.of(v).toAbsolutePath();
                    case "--out" -> out = Path.of(v).toAbsolutePath();
                    default -> throw new IllegalArgumentException("unknown argument " + a);
                }
            }
            if (!lengths.stream().sorted().distinct().toList().equals(lengths)) {
                throw new IllegalArgumentException("--lengths must be increasing, got " + lengths);
            }
            return new Settings(lengths, modes, codecs, requests, warmup, maxTokens, chunkTokens, creditWindow, repo,
                    out != null ? out : repo.resolve("bench/results"));
        }

        List<Config> configs() {
            List<Config> list = new ArrayList<>();
            for (Mode m : modes) {
                if (m == Mode.C2C) {
                    codecs.forEach(c -> list.add(new Config(m, c)));
                } else {
                    list.add(new Config(m, null));
                }
            }
            return list;
        }

        private static List<Mode> modes(String v) {
            List<Mode> l = new ArrayList<>();
            for (String s : Args.list("--modes", v)) {
                try {
                    Mode m = Mode.valueOf(s.trim());
                    if (m == Mode.MODE_UNSPECIFIED || m == Mode.UNRECOGNIZED) {
                        throw new IllegalArgumentException();
                    }
                    l.add(m);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--modes takes RECEIVER_ONLY, TEXT, C2C; got '" + s + "'");
                }
            }
            return l;
        }
    }

    /**
     * The longest sharer prompt TEXT can relay: its relay prompt ends in " Sentence:" (2 bytes more than
     * " Answer:") and needs room for the sentence (up to {@link InProcessLink#RELAY_MAX_TOKENS} tokens) in the
     * sharer's context; a longer one would have its sentence cut by the context, not measure the relay.
     */
    static int textLimit(int sharerContext) {
        return sharerContext - 2 - InProcessLink.RELAY_MAX_TOKENS;
    }

    public static void main(String[] args) throws Exception {
        Settings settings;
        try {
            settings = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ScalingBench: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        Path models = settings.repo().resolve("models");
        int sharerContext = contextLength(models.resolve("sx/genai_config.json"));
        int receiverContext = contextLength(models.resolve("rx/genai_config.json"));
        int longest = settings.lengths().get(settings.lengths().size() - 1);
        if (longest > sharerContext) {
            System.err.println("ScalingBench: the longest length " + longest + " is over the sharer's context length "
                    + sharerContext + " (models/sx/genai_config.json)");
            System.exit(2);
        }
        String loadBefore = MachineInfo.loadAverage();
        String started = Instant.now().toString();
        List<LinkQaItem> split = LinkQaDataset.read(models.resolve("linkqa/context-test.jsonl"));
        Map<Integer, List<LongContextPrompts.Prompt>> prompts = new LinkedHashMap<>();
        try (TextTokenizer sx = TextTokenizer.load(models.resolve("sx/tokenizer.json"))) {
            // As the sender's LinkModel counts: the tokenizer's tokens plus the BOS it puts first.
            ToIntFunction<String> sharerTokens = text -> sx.encode(text).size() + 1;
            LongContextPrompts builder = new LongContextPrompts(split, sharerTokens);
            List<LinkQaItem> questions = builder.questions(settings.requests(), settings.lengths().get(0));
            for (int budget : settings.lengths()) {
                prompts.put(budget, questions.stream().map(q -> builder.build(q, budget)).toList());
            }
        }
        int textLimit = textLimit(sharerContext);

        List<Config> configs = settings.configs();
        List<ScalingPoint> points = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Map<String, String> common = Map.of("latentlink.models-dir", models.toString(),
                "latentlink.chunk-tokens", Integer.toString(settings.chunkTokens()));
        try (NodeTrio nodes = NodeTrio.start(settings.repo(), common, settings.creditWindow(),
                settings.repo().resolve("bench/target/scaling-logs"))) {
            GenerateClient client = new GenerateClient(nodes.receiver().channel, settings.maxTokens());
            List<LongContextPrompts.Prompt> warm = prompts.get(longest);
            for (Config c : configs) {
                for (int w = 0; w < settings.warmup(); w++) {
                    int budget = c.mode() == Mode.TEXT ? lastAtMost(settings.lengths(), textLimit) : longest;
                    if (budget > 0) {
                        client.ask(prompts.get(budget).get(w % warm.size()).text(), c.mode(), c.codec());
                    }
                }
            }
            for (int budget : settings.lengths()) {
                for (Config c : configs) {
                    if (c.mode() == Mode.TEXT && budget > textLimit) {
                        skipped.add(c.label() + " at " + budget + " sharer tokens: over " + textLimit
                                + " (the relay prompt plus a " + InProcessLink.RELAY_MAX_TOKENS
                                + "-token sentence must fit the sharer's " + sharerContext + "-token context)");
                        continue;
                    }
                    NodeMemory atStart = nodes.resetPeaks();
                    List<GenerateClient.Result> results = new ArrayList<>();
                    for (LongContextPrompts.Prompt p : prompts.get(budget)) {
                        results.add(client.ask(p.text(), c.mode(), c.codec()));
                    }
                    ScalingPoint point = ScalingPoint.of(c.mode().name(), c.codec(), budget, prompts.get(budget),
                            results, atStart, nodes.read());
                    points.add(point);
                    System.err.printf("  %-14s %4d sharer tokens: p50 %.1f ms, %d errors%n", c.label(), budget,
                            point.p50Ms(), point.errors());
                }
            }
        }
        String loadAfter = MachineInfo.loadAverage();

        Map<String, Object> settingsOut = new LinkedHashMap<>();
        settingsOut.put("lengths_sharer_tokens", settings.lengths());
        settingsOut.put("modes", settings.modes().stream().map(Mode::name).toList());
        settingsOut.put("codecs", settings.codecs());
        settingsOut.put("requests_per_point", settings.requests());
        settingsOut.put("requests_per_point_why", "each point is its own prompts x 1 request, sequential; "
                + settings.requests() + " keeps the default run (5 lengths x 4 configurations, 3 node JVMs started)"
                + " under 4 minutes on 2 shared cores; p95 of so few samples is close to their maximum");
        settingsOut.put("warmup_per_configuration", settings.warmup());
        settingsOut.put("max_tokens", settings.maxTokens());
        settingsOut.put("chunk_tokens", settings.chunkTokens());
        settingsOut.put("credit_window", settings.creditWindow());
        settingsOut.put("credit_window_why", "fixed for every point, on the projector and the receiver; smaller than the"
                + " nodes' default of 8 so that window x chunk (" + settings.creditWindow() * settings.chunkTokens()
                + " tokens) is well below the longest contexts and could bound what is in flight");
        settingsOut.put("concurrency", 1);
        settingsOut.put("sharer_context_length", sharerContext);
        settingsOut.put("receiver_context_length", receiverContext);
        settingsOut.put("text_limit_sharer_tokens", textLimit);
        settingsOut.put("node_jvm", "-Xmx1g (demo NodeLauncher), G1, ORT CPU default threads (latentlink.session=cpu)");
        settingsOut.put("prompts", "LinkQA models/linkqa/context-test.jsonl, form=script: the first " + settings.requests()
                + " script items whose own prompt fits the shortest length are the questions (the same at every"
                + " length); each prompt is 'Context: <the item's own passage> <whole passages of the following test"
                + " items, in split order, skipping any whose plain form names the asked person, while the prompt"
                + " fits the budget> Question: <the item's question> Answer:'. The answer is in the first passage."
                + " sharer_tokens = sx tokenizer tokens + BOS (byte-level: UTF-8 bytes + 1); context_tokens = the"
                + " receiver's GenerateStats.prompt_tokens. Per point, token and byte counts are medians over its prompts.");
        settingsOut.put("memory", "per point: Node.Status reset_peak on every node before its first request, read after"
                + " its last; peak_offheap_bytes = offheap_peak_bytes (direct + mapped NIO buffers, sampled every 10 ms),"
                + " peak_heap_bytes = heap_peak_bytes (sum of heap pools' peaks), peak_kv_cache_bytes (core's KV caches, exact),"
                + " peak_inflight_bytes (transport buffers), peak_rss_bytes (VmHWM); offheap_at_start_bytes = offheap_used_bytes"
                + " at the reset, what the point started from (direct buffers outside core's KV caches are freed when the"
                + " GC runs, so it can include earlier points' garbage); see docs/NODES.md");
        if (!skipped.isEmpty()) {
            settingsOut.put("skipped", skipped);
        }

        String command = ("ScalingBench " + String.join(" ", args)).strip();
        ObjectNode root = ResultsHeader.of(JSON, "scaling", started, settings.repo(),
                ResultsHeader.machine(settings.repo(), loadBefore, loadAfter), command, settingsOut);
        ArrayNode runs = root.putArray("runs");
        points.forEach(p -> runs.add(toJson(p)));
        root.set("goals", JSON.valueToTree(goals(points, settings)));
        root.set("kv_cache_growth", JSON.valueToTree(kvCacheGrowth(points, settings)));
        Files.createDirectories(settings.out());
        Path file = settings.out().resolve("scaling.json");
        Files.writeString(file, JSON.writeValueAsString(root) + "\n");
        System.out.println(table(points));
        for (OffHeapGoal.Verdict g : goals(points, settings)) {
            System.out.println((g.met() == null ? "not measured" : g.met() ? "MET" : "NOT MET") + ": " + g.goal()
                    + "\n    " + g.measured());
        }
        System.out.println("for reference, " + kvCacheGrowth(points, settings).measured());
        System.out.println("wrote " + file);
    }

    static ObjectNode toJson(ScalingPoint p) {
        ObjectNode o = JSON.createObjectNode();
        o.put("mode", p.mode());
        if (p.codec() == null) {
            o.putNull("codec");
        } else {
            o.put("codec", p.codec());
        }
        o.put("sharer_tokens_budget", p.sharerTokensBudget());
        o.put("context_tokens", p.contextTokens());
        o.put("sharer_tokens", p.sharerTokens());
        o.put("prompt_chars", p.promptChars());
        o.put("passages", p.passages());
        o.put("n", p.n());
        o.put("p50_ms", round(p.p50Ms()));
        o.put("p95_ms", round(p.p95Ms()));
        o.put("mean_ms", round(p.meanMs()));
        o.put("first_token_p50_ms", round(p.firstTokenP50Ms()));
        o.put("wire_bytes", p.wireBytes());
        o.put("raw_bytes", p.rawBytes());
        o.set("peak_offheap_bytes", JSON.valueToTree(p.memory().offHeap()));
        o.set("offheap_at_start_bytes", JSON.valueToTree(p.offHeapAtStart()));
        o.set("peak_heap_bytes", JSON.valueToTree(p.memory().heap()));
        o.set("peak_kv_cache_bytes", JSON.valueToTree(p.memory().kvCache()));
        o.set("peak_inflight_bytes", JSON.valueToTree(p.memory().inflight()));
        o.set("peak_rss_bytes", JSON.valueToTree(p.memory().rss()));
        o.set("rss_peak_since_reset", JSON.valueToTree(p.memory().rssSinceReset()));
        o.put("correct", p.correct());
        o.put("errors", p.errors());
        if (!p.errorSamples().isEmpty()) {
            o.set("error_samples", JSON.valueToTree(p.errorSamples()));
        }
        return o;
    }

    /** The memory goals on the first C2C configuration (the only mode whose KV crosses the credited streams). */
    static List<OffHeapGoal.Verdict> goals(List<ScalingPoint> points, Settings settings) {
        List<ScalingPoint> c2c = points.stream().filter(p -> p.mode().equals("C2C")).toList();
        String codec = c2c.isEmpty() ? null : c2c.get(0).codec();
        List<ScalingPoint> series = c2c.stream().filter(p -> p.codec().equals(codec)).toList();
        String window = " (C2C " + codec + ", credit window " + settings.creditWindow() + " x " + settings.chunkTokens()
                + "-token chunks)";
        return List.of(
                OffHeapGoal.evaluate("off-heap high-water under a fixed credit window does not grow with context length",
                        "offheap_peak_bytes (direct + mapped NIO buffers: model KV caches, ORT buffers, transport)" + window,
                        series.stream().map(p -> new OffHeapGoal.Point(p.sharerTokens(), p.memory().offHeap())).toList()),
                OffHeapGoal.evaluate("transport buffers under a fixed credit window do not grow with context length",
                        "peak_inflight_bytes (chunks queued, reassembly, fusion windows)" + window,
                        series.stream().map(p -> new OffHeapGoal.Point(p.sharerTokens(), p.memory().inflight())).toList()));
    }

    /** Not a goal: the model KV caches are O(context) by design; shown beside the goals to read them against. */
    static OffHeapGoal.Verdict kvCacheGrowth(List<ScalingPoint> points, Settings settings) {
        List<ScalingPoint> c2c = points.stream().filter(p -> p.mode().equals("C2C")).toList();
        String codec = c2c.isEmpty() ? null : c2c.get(0).codec();
        OffHeapGoal.Verdict v = OffHeapGoal.evaluate("model KV caches (O(context) by design; not a goal)",
                "kv_cache_peak_bytes (C2C " + codec + ")",
                c2c.stream().filter(p -> p.codec().equals(codec))
                        .map(p -> new OffHeapGoal.Point(p.sharerTokens(), p.memory().kvCache())).toList());
        return new OffHeapGoal.Verdict(v.goal(), v.measured().replaceAll("; met when.*$", ""), null, v.detail());
    }

    static String table(List<ScalingPoint> points) {
        StringBuilder s = new StringBuilder(String.format("%-16s %6s %6s %6s %3s %8s %8s %8s %9s %9s  %-28s %-28s %s%n",
                "config", "budget", "sx tok", "rx tok", "n", "p50 ms", "p95 ms", "1st p50", "wire B", "raw B",
                "off-heap peak s/p/r KiB", "inflight peak s/p/r KiB", "err"));
        for (ScalingPoint p : points) {
            s.append(String.format("%-16s %6d %6d %6d %3d %8.1f %8.1f %8.1f %9d %9d  %-28s %-28s %d%n",
                    p.codec() == null ? p.mode() : p.mode() + " " + p.codec(), p.sharerTokensBudget(), p.sharerTokens(),
                    p.contextTokens(), p.n(), p.p50Ms(), p.p95Ms(), p.firstTokenP50Ms(), p.wireBytes(), p.rawBytes(),
                    kib(p.memory().offHeap()), kib(p.memory().inflight()), p.errors()));
        }
        return s.toString();
    }

    static String kib(Map<String, Long> perNode) {
        StringBuilder s = new StringBuilder();
        for (String n : NodeTrio.NAMES) {
            s.append(s.isEmpty() ? "" : "/").append(Math.round(perNode.getOrDefault(n, 0L) / 1024.0));
        }
        return s.toString();
    }

    static int lastAtMost(List<Integer> sorted, int limit) {
        int best = 0;
        for (int v : sorted) {
            if (v <= limit) {
                best = v;
            }
        }
        return best;
    }

    static double round(double v) {
        return Double.isNaN(v) ? Double.NaN : Math.round(v * 10) / 10.0;
    }

    static int contextLength(Path genaiConfig) throws java.io.IOException {
        JsonNode n = JSON.readTree(genaiConfig.toFile()).path("model").path("context_length");
        if (!n.canConvertToInt() || n.asInt() <= 0) {
            throw new IllegalStateException(genaiConfig + " has no model.context_length");
        }
        return n.asInt();
    }
}
