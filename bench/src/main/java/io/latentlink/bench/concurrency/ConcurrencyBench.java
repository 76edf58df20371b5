package io.latentlink.bench.concurrency;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.latentlink.bench.load.LoadOptions;
import io.latentlink.bench.load.LoadRunner;
import io.latentlink.bench.load.MethodCatalog;
import io.latentlink.bench.modes.MachineInfo;
import io.latentlink.bench.scaling.Args;
import io.latentlink.bench.scaling.GenerateClient;
import io.latentlink.bench.scaling.NodeMemory;
import io.latentlink.bench.scaling.NodeTrio;
import io.latentlink.bench.scaling.ResultsHeader;
import io.latentlink.core.eval.LinkQaDataset;
import io.latentlink.core.eval.LinkQaItem;
import io.latentlink.proto.v1.Mode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Throughput, latency percentiles, errors and each node's heap and off-heap high-water at 1, 2, 4, ... concurrent
 * C2C requests through the three nodes as JVMs on loopback with the demo models. Each level is one closed-loop run
 * of the load tool's {@link LoadRunner} (one call in flight per worker) between a reset_peak and a read of
 * Node.Status on every node. Writes {@code concurrency.json}.
 */
public final class ConcurrencyBench {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final String USAGE = "usage: ConcurrencyBench [--levels 1,2,4,8,16,32] [--per-worker N] [--min-requests N]"
            + " [--mode C2C] [--codec fp16] [--questions N] [--warmup N] [--max-tokens N] [--chunk-tokens N]"
            + " [--credit-window N] [--timeout-s N] [--repo DIR] [--out DIR]";

    record Settings(List<Integer> levels, int perWorker, int minRequests, Mode mode, String codec, int questions,
                    int warmup, int maxTokens, int chunkTokens, int creditWindow, int timeoutSeconds, Path repo, Path out) {

        static Settings parse(String... args) {
            List<Integer> levels = List.of(1, 2, 4, 8, 16, 32);
            int perWorker = 4;
            int minRequests = 32;
            Mode mode = Mode.C2C;
            String codec = "fp16";
            int questions = 32;
            int warmup = 4;
            int maxTokens = 16;
            int chunkTokens = 32;
            int creditWindow = 8;
            int timeout = 120;
            Path repo = Path.of("").toAbsolutePath();
            Path out = null;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a.startsWith("--") ? a + " needs a value" : "unknown argument " + a);
                }
                String v = args[++i];
                switch (a) {
                    case "--levels" -> levels = Args.ints(a, v);
                    case "--per-worker" -> perWorker = Args.atLeastZero(a, v);
                    case "--min-requests" -> minRequests = Args.atLeastZero(a, v);
                    case "--mode" -> mode = mode(v);
                    case "--codec" -> codec = v.trim();
                    case "--questions" -> questions = Args.positive(a, v);
                    case "--warmup" -> warmup = Args.atLeastZero(a, v);
                    case "--max-tokens" -> maxTokens = Args.positive(a, v);
                    case "--chunk-tokens" -> chunkTokens = Args.positive(a, v);
                    case "--credit-window" -> creditWindow = Args.positive(a, v);
                    case "--timeout-s" -> timeout = Args.positive(a, v);
                    case "--repo" -> repo = Path.of(v).toAbsolutePath();
                    case "--out" -> out = Path.of(v).toAbsolutePath();
                    default -> throw new IllegalArgumentException("unknown argument " + a);
                }
            }
            if (perWorker == 0 && minRequests == 0) {
                throw new IllegalArgumentException("--per-worker and --min-requests cannot both be 0");
            }
            return new Settings(levels, perWorker, minRequests, mode, mode == Mode.C2C ? codec : "", questions, warmup,
                    maxTokens, chunkTokens, creditWindow, timeout, repo, out != null ? out : repo.resolve("bench/results"));
        }

        /** Requests at one level: enough for every worker to make {@code perWorker} calls, and at least the minimum. */
        long requests(int concurrency) {
            return Math.max(minRequests, (long) perWorker * concurrency);
        }

        private static Mode mode(String v) {
            try {
                Mode m = Mode.valueOf(v.trim());
                if (m != Mode.MODE_UNSPECIFIED && m != Mode.UNRECOGNIZED) {
                    return m;
                }
            } catch (IllegalArgumentException e) {
                // below
            }
            throw new IllegalArgumentException("--mode takes RECEIVER_ONLY, TEXT or C2C, got '" + v + "'");
        }
    }

    public static void main(String[] args) throws Exception {
        Settings settings;
        try {
            settings = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ConcurrencyBench: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        Path models = settings.repo().resolve("models");
        List<LinkQaItem> items = LinkQaDataset.read(models.resolve("linkqa/context-test.jsonl")).stream()
                .filter(i -> "script".equals(i.form())).limit(settings.questions()).toList();
        if (items.isEmpty()) {
            throw new IllegalStateException("no script-form questions in " + models.resolve("linkqa/context-test.jsonl"));
        }
        List<Message> requests = items.stream().map(i -> (Message) GenerateClient.request(i.prompt(), settings.mode(),
                settings.codec(), settings.maxTokens())).toList();
        String loadBefore = MachineInfo.loadAverage();
        String started = Instant.now().toString();
        MethodDescriptor<Message, Message> generate = MethodCatalog.latentlink().resolve("latentlink.v1.Receiver.Generate");

        List<ConcurrencyPoint> points = new ArrayList<>();
        Map<String, String> common = Map.of("latentlink.models-dir", models.toString(),
                "latentlink.chunk-tokens", Integer.toString(settings.chunkTokens()));
        try (NodeTrio nodes = NodeTrio.start(settings.repo(), common, settings.creditWindow(),
                settings.repo().resolve("bench/target/concurrency-logs"))) {
            String target = nodes.receiver().endpoint();
            if (settings.warmup() > 0) {
                run(nodes, generate, requests, options(target, settings.warmup(), Math.min(2, settings.warmup()), settings));
            }
            for (int c : settings.levels()) {
                NodeMemory atStart = nodes.resetPeaks();
                LoadRunner.Result r = run(nodes, generate, requests, options(target, settings.requests(c), c, settings));
                ConcurrencyPoint p = ConcurrencyPoint.of(c, settings.mode().name(), settings.codec(), r, atStart, nodes.read());
                points.add(p);
                System.err.printf("  concurrency %2d: %d requests, %.2f req/s, p50 %.1f ms, %d errors%n", c, p.requests(),
                        p.throughputRps(), p.p50Ms(), p.errors());
            }
        }
        String loadAfter = MachineInfo.loadAverage();

        Map<String, Object> settingsOut = new LinkedHashMap<>();
        settingsOut.put("levels", settings.levels());
        settingsOut.put("mode", settings.mode().name());
        settingsOut.put("codec", settings.codec());
        Map<String, Long> perLevel = new LinkedHashMap<>();
        settings.levels().forEach(c -> perLevel.put(Integer.toString(c), settings.requests(c)));
        settingsOut.put("requests_per_level", perLevel);
        settingsOut.put("requests_why", "max(" + settings.minRequests() + ", " + settings.perWorker() + " x concurrency):"
                + " every worker makes at least " + settings.perWorker() + " calls, and the default sweep (C2C at a few"
                + " requests/s on 2 shared cores, 3 node JVMs started) stays under 4 minutes; at low levels p99 of "
                + settings.minRequests() + " samples is their maximum");
        settingsOut.put("prompts", "the first " + items.size() + " LinkQA script-form test questions"
                + " (models/linkqa/context-test.jsonl), call i sends question i mod " + items.size());
        settingsOut.put("warmup_requests", settings.warmup());
        settingsOut.put("max_tokens", settings.maxTokens());
        settingsOut.put("chunk_tokens", settings.chunkTokens());
        settingsOut.put("credit_window", settings.creditWindow());
        settingsOut.put("call_timeout_s", settings.timeoutSeconds());
        settingsOut.put("client", "io.latentlink.bench.load.LoadRunner: closed loop, one call in flight per worker,"
                + " one shared channel; latencies from its HdrHistogram (us resolution, 3 significant digits)");
        settingsOut.put("node_jvm", "-Xmx1g (demo NodeLauncher), G1, ORT CPU default threads (latentlink.session=cpu)");
        settingsOut.put("memory", "per level: Node.Status reset_peak on every node before the run, read after it;"
                + " peak_offheap_bytes = offheap_peak_bytes (direct + mapped NIO buffers, sampled every 10 ms),"
                + " peak_heap_bytes = heap_peak_bytes (sum of heap pools' peaks), peak_kv_cache_bytes (core's KV caches, exact),"
                + " peak_inflight_bytes (transport buffers), peak_rss_bytes (VmHWM); offheap_at_start_bytes = offheap_used_bytes"
                + " at the reset (direct buffers outside core's KV caches are freed when the GC runs, so it can include"
                + " earlier levels' garbage); see docs/NODES.md");

        String command = ("ConcurrencyBench " + String.join(" ", args)).strip();
        ObjectNode root = ResultsHeader.of(JSON, "concurrency", started, settings.repo(),
                ResultsHeader.machine(settings.repo(), loadBefore, loadAfter), command, settingsOut);
        ArrayNode runs = root.putArray("runs");
        points.forEach(p -> runs.add(toJson(p)));
        Files.createDirectories(settings.out());
        Path file = settings.out().resolve("concurrency.json");
        Files.writeString(file, JSON.writeValueAsString(root) + "\n");
        System.out.println(table(points));
        System.out.println("wrote " + file);
    }

    private static LoadRunner.Result run(NodeTrio nodes, MethodDescriptor<Message, Message> method, List<Message> requests,
                                         LoadOptions options) throws InterruptedException {
        return new LoadRunner(nodes.receiver().channel, method, i -> requests.get((int) (i % requests.size())), options).run();
    }

    private static LoadOptions options(String target, long total, int concurrency, Settings s) {
        return new LoadOptions("latentlink.v1.Receiver.Generate", "{}", target, total, concurrency, 0, null,
                Duration.ofSeconds(s.timeoutSeconds()), "summary", null, false);
    }

    static ObjectNode toJson(ConcurrencyPoint p) {
        ObjectNode o = JSON.createObjectNode();
        o.put("concurrency", p.concurrency());
        o.put("mode", p.mode());
        if (p.codec().isEmpty()) {
            o.putNull("codec");
        } else {
            o.put("codec", p.codec());
        }
        o.put("requests", p.requests());
        o.put("seconds", Math.round(p.seconds() * 1000) / 1000.0);
        o.put("throughput_rps", Math.round(p.throughputRps() * 1000) / 1000.0);
        o.put("p50_ms", p.p50Ms());
        o.put("p95_ms", p.p95Ms());
        o.put("p99_ms", p.p99Ms());
        o.put("mean_ms", p.meanMs());
        o.put("max_ms", p.maxMs());
        o.put("errors", p.errors());
        o.set("status_codes", JSON.valueToTree(p.statusCodes()));
        if (!p.errorSamples().isEmpty()) {
            o.set("error_samples", JSON.valueToTree(p.errorSamples()));
        }
        o.set("peak_heap_bytes", JSON.valueToTree(p.memory().heap()));
        o.set("peak_offheap_bytes", JSON.valueToTree(p.memory().offHeap()));
        o.set("offheap_at_start_bytes", JSON.valueToTree(p.offHeapAtStart()));
        o.set("peak_kv_cache_bytes", JSON.valueToTree(p.memory().kvCache()));
        o.set("peak_inflight_bytes", JSON.valueToTree(p.memory().inflight()));
        o.set("peak_rss_bytes", JSON.valueToTree(p.memory().rss()));
        o.set("rss_peak_since_reset", JSON.valueToTree(p.memory().rssSinceReset()));
        return o;
    }

    static String table(List<ConcurrencyPoint> points) {
        StringBuilder s = new StringBuilder(String.format("%4s %5s %8s %8s %9s %9s %9s %4s  %-26s %-26s %-26s%n", "c",
                "reqs", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "err", "heap peak s/p/r MiB",
                "off-heap peak s/p/r MiB", "RSS peak s/p/r MiB"));
        for (ConcurrencyPoint p : points) {
            s.append(String.format("%4d %5d %8.2f %8.1f %9.1f %9.1f %9.1f %4d  %-26s %-26s %-26s%n", p.concurrency(),
                    p.requests(), p.throughputRps(), p.p50Ms(), p.p95Ms(), p.p99Ms(), p.maxMs(), p.errors(),
                    mib(p.memory().heap()), mib(p.memory().offHeap()), mib(p.memory().rss())));
        }
        return s.toString();
    }

    static String mib(Map<String, Long> perNode) {
        StringBuilder s = new StringBuilder();
        for (String n : NodeTrio.NAMES) {
            s.append(s.isEmpty() ? "" : "/").append(String.format("%.1f", perNode.getOrDefault(n, 0L) / 1048576.0));
        }
        return s.toString();
    }
}
