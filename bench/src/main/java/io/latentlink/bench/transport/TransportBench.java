package io.latentlink.bench.transport;

import io.latentlink.bench.modes.MachineInfo;
import io.latentlink.core.codec.CodecSpec;
import io.latentlink.core.wire.KvGeometry;
import io.latentlink.demo.NodeLauncher;
import io.latentlink.engine.KvStats;
import io.latentlink.engine.KvValueModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Transport against the limit: streams synthetic KV of Qwen3-0.6B's geometry (28 layers, 8 KV heads of 128) with
 * values drawn from the demo models' measured KV statistics through the real services, sender to this process
 * (one hop, {@code Sender.Share}) and sender through the projector's pass-through ({@code Projector.Fuse}, fusion
 * off) to this process (two hops), per codec and prompt length; this process plays the receiver (credits, CRC,
 * decode of every payload). iperf3 single-stream loopback throughput, measured in the same run, is the physical
 * reference. Writes transport.json (schema: SCHEMAS.md) and prints a table.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar io.latentlink.bench.transport.TransportBench
 *     [--tokens 1024,4096,16384] [--codecs fp32,fp16,int8,int8:per_channel] [--repeats 3] [--no-iperf3] ...
 * </pre>
 */
public final class TransportBench {

    static final KvGeometry QWEN3_0_6B = new KvGeometry("qwen3-0.6b-synthetic", "", 28, 8, 128);
    static final String STATS_MODEL = "rx";
    static final long SEED = 1;
    private static final long CALL_TIMEOUT_S = 300;

    private TransportBench() {
    }

    public static void main(String[] args) throws Exception {
        TransportOptions o;
        try {
            o = TransportOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Path repo = Path.of("").toAbsolutePath();
        Path stats = o.stats().toAbsolutePath();
        if (!Files.isRegularFile(stats)) {
            throw new IllegalStateException(stats + " missing: run io.latentlink.bench.transport.KvStatsTool first");
        }
        String loadBefore = MachineInfo.loadAverage();

        // The reference first, before the node JVMs exist, so nothing of ours competes with it.
        Map<String, Object> iperf = o.iperf3() ? Iperf3.measure(o.iperfSeconds())
                : Map.of("error", "not measured (--no-iperf3)");
        Double iperfGbs = iperf.get("gb_per_s") instanceof Double d ? d : null;
        System.out.println("iperf3: " + (iperfGbs != null ? String.format("%.3f GB/s", iperfGbs) : iperf.get("error")));

        Path logs = repo.resolve("bench/target/transport-logs");
        Map<String, String> common = Map.of("latentlink.engine", "synthetic",
                "latentlink.default-deadline", CALL_TIMEOUT_S + "s",
                "latentlink.max-chunk-bytes", String.valueOf(o.maxChunkBytes()));
        Map<String, String> senderSettings = new LinkedHashMap<>(common);
        senderSettings.putAll(Map.of("latentlink.synthetic.model-id", QWEN3_0_6B.modelId(),
                "latentlink.synthetic.layers", String.valueOf(QWEN3_0_6B.layers()),
                "latentlink.synthetic.kv-heads", String.valueOf(QWEN3_0_6B.kvHeads()),
                "latentlink.synthetic.head-size", String.valueOf(QWEN3_0_6B.headSize()),
                "latentlink.synthetic.values", "realistic",
                "latentlink.synthetic.value-stats", stats.toString(),
                "latentlink.synthetic.value-stats-model", STATS_MODEL,
                "latentlink.synthetic.value-seed", String.valueOf(SEED)));
        Map<String, String> projectorSettings = new LinkedHashMap<>(common);
        projectorSettings.put("latentlink.passthrough", "true");
        projectorSettings.put("latentlink.credit-window", String.valueOf(o.creditWindow()));

        List<TransportReport.Cell> cells = new ArrayList<>();
        Map<StreamClient.Result, Map<String, Double>> cpu = new java.util.IdentityHashMap<>();
        try (NodeLauncher sender = NodeLauncher.start(repo, "sender-node", senderSettings, logs);
             NodeLauncher projector = NodeLauncher.start(repo, "projector-node", projectorSettings, logs)) {
            sender.awaitServing(120);
            projector.awaitServing(120);
            Runner runner = new Runner(o, sender.channel, sender.endpoint(), projector.channel, sender.process.pid(),
                    projector.process.pid(), cpu);
            int warmupTokens = o.tokens().stream().min(Integer::compare).orElseThrow();
            for (int w = 0; w < 2; w++) {
                for (CodecSpec codec : o.codecs()) {
                    for (String path : o.paths()) {
                        runner.run(path, codec, warmupTokens);
                    }
                }
            }
            // Repeats are interleaved over every configuration, so background load hits them alike.
            Map<String, List<StreamClient.Result>> results = new LinkedHashMap<>();
            for (int r = 0; r < o.repeats(); r++) {
                for (int tokens : o.tokens()) {
                    for (CodecSpec codec : o.codecs()) {
                        for (String path : o.paths()) {
                            StreamClient.Result res = runner.run(path, codec, tokens);
                            results.computeIfAbsent(key(path, codec, tokens), k -> new ArrayList<>()).add(res);
                            System.out.printf("  %s %s %d tokens: %.3f s%n", path, codec, tokens, res.nanos() / 1e9);
                        }
                    }
                }
            }
            for (int tokens : o.tokens()) {
                for (CodecSpec codec : o.codecs()) {
                    for (String path : o.paths()) {
                        cells.add(cell(path, codec, tokens, results.get(key(path, codec, tokens)), cpu));
                    }
                }
            }
        }
        String loadAfter = MachineInfo.loadAverage();

        Map<String, Object> root = new LinkedHashMap<>();
        root.put("name", "transport");
        root.put("date", Instant.now().toString());
        root.put("commit", MachineInfo.gitCommit(repo));
        root.put("machine", TransportReport.machine(loadBefore, loadAfter));
        root.put("command", "java -cp bench/target/benchmarks.jar io.latentlink.bench.transport.TransportBench "
                + TransportReport.argsLine(args));
        root.put("settings", settings(o));
        root.put("geometry", Map.of("model_id", QWEN3_0_6B.modelId(), "layers", QWEN3_0_6B.layers(),
                "kv_heads", QWEN3_0_6B.kvHeads(), "head_size", QWEN3_0_6B.headSize()));
        root.put("value_model", valueModel(stats));
        root.put("iperf3", iperf);
        root.put("runs", TransportReport.runsJson(cells, iperfGbs));
        root.put("goals", List.of(TransportReport.goal(cells, iperfGbs)));
        TransportReport.write(o.out(), root);
        System.out.print(TransportReport.table(cells, iperfGbs));
        Map<String, Object> goal = TransportReport.goal(cells, iperfGbs);
        System.out.println("goal: " + goal.get("goal") + " -> " + goal.get("measured") + " -> "
                + (goal.get("met") == null ? "not measured" : (Boolean) goal.get("met") ? "met" : "NOT met"));
        System.out.println("wrote " + o.out());
    }

    private static String key(String path, CodecSpec codec, int tokens) {
        return path + "|" + codec + "|" + tokens;
    }

    private static TransportReport.Cell cell(String path, CodecSpec codec, int tokens, List<StreamClient.Result> rs,
            Map<StreamClient.Result, Map<String, Double>> cpu) {
        List<Double> seconds = new ArrayList<>();
        List<Map<String, Object>> breakdowns = new ArrayList<>();
        for (StreamClient.Result r : rs) {
            seconds.add(r.nanos() / 1e9);
            Map<String, Object> b = breakdown(r);
            b.putAll(cpu.getOrDefault(r, Map.of()));
            breakdowns.add(b);
        }
        StreamClient.Result first = rs.get(0);
        return new TransportReport.Cell(path, codec, tokens, first.rawBytes(), first.wireBytes(), first.chunks(),
                seconds, breakdowns);
    }

    /** Where one stream's time went, as each side measured it (seconds, summed over the stream). */
    private static Map<String, Object> breakdown(StreamClient.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total_s", r.nanos() / 1e9);
        var t = r.sharer().getTimings();
        m.put("sender_values_s", t.getPrefillUs() / 1e6);
        m.put("sender_encode_s", t.getEncodeUs() / 1e6);
        m.put("sender_send_wait_s", t.getTransferUs() / 1e6);
        if (r.forwarded() != null) {
            m.put("projector_send_wait_s", r.forwarded().getTimings().getTransferUs() / 1e6);
        }
        m.put("client_check_decode_s", r.decodeNanos() / 1e9);
        return m;
    }

    private static Map<String, Object> settings(TransportOptions o) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("tokens", o.tokens());
        s.put("codecs", o.codecs().stream().map(CodecSpec::toString).toList());
        s.put("paths", o.paths());
        s.put("repeats", o.repeats());
        s.put("warmup", "2 streams per (path, codec) at the smallest token count");
        s.put("chunk_tokens", o.chunkTokens());
        s.put("credit_window", o.creditWindow());
        s.put("max_chunk_bytes", o.maxChunkBytes());
        s.put("node_jvm", "NodeLauncher: -Xmx1g, default GC");
        s.put("timing", "client wall time from the start message to the stream's summary; includes the sender's"
                + " synthetic value generation, which runs where a real sender would prefill");
        return s;
    }

    private static Map<String, Object> valueModel(Path statsFile) {
        KvStats stats = KvStats.read(statsFile, STATS_MODEL);
        KvValueModel model = KvValueModel.of(QWEN3_0_6B, stats, SEED, KvValueModel.DEFAULT_POOL_ROWS);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("how", "io.latentlink.engine.KvValueModel (sender latentlink.synthetic.values=realistic): per (layer,"
                + " K/V, kv head, channel) a std drawn from the log-normal fitted to the measured per-channel stds of"
                + " the demo model '" + STATS_MODEL + "' (llama-type, GQA like Qwen3) at the same relative depth,"
                + " outlier channels (std > threshold x median) drawn with the measured share and magnitude ratio,"
                + " channel means with the measured spread; then a pool of " + model.poolRows() + " Gaussian token"
                + " rows per (layer, K/V), position p of token id t copying the row a hash of (layer, p, t) picks."
                + " Statistics from " + statsFile.getFileName() + " (KvStatsTool: prefill of LinkQA val prompts,"
                + " BOS excluded). The weakly trained demo models have no channel above the outlier threshold (see"
                + " largest_channel_std_over_median), so neither has this KV; KvValueModel draws outliers when the"
                + " statistics have them (its tests do). Not modelled: per-token outliers (attention sinks), RoPE"
                + " structure, correlations between channels.");
        m.put("stats_file", "bench/results/" + statsFile.getFileName());
        m.put("stats_model", STATS_MODEL);
        m.put("seed", SEED);
        m.put("pool_rows", model.poolRows());
        List<Map<String, Object>> layers = new ArrayList<>();
        for (int l = 0; l < QWEN3_0_6B.layers(); l++) {
            int source = model.sourceLayer(l);
            if (l > 0 && source == model.sourceLayer(l - 1)) {
                continue;
            }
            for (int kind = 0; kind < 2; kind++) {
                KvStats.Entry e = stats.entry(source, kind);
                Map<String, Object> x = new LinkedHashMap<>(KvStatsTool.json(e));
                x.put("source_layer", source);
                x.put("first_target_layer", l);
                layers.add(x);
            }
        }
        m.put("source_stats", layers);
        m.put("largest_channel_std_over_median", largestChannelRatio(statsFile));
        return m;
    }

    /** The measured model's largest channel std over its layer's median, per the stats file (null if absent). */
    private static Double largestChannelRatio(Path statsFile) {
        try {
            double max = Double.NaN;
            for (var model : new com.fasterxml.jackson.databind.ObjectMapper().readTree(statsFile.toFile())
                    .path("models")) {
                if (model.path("model").asText().equals(STATS_MODEL)) {
                    for (var e : model.path("entries")) {
                        double r = e.path("max_std_over_median").asDouble(Double.NaN);
                        max = Double.isNaN(max) || r > max ? r : max;
                    }
                }
            }
            return Double.isNaN(max) ? null : max;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** CPU seconds a process has used so far (user + system), from /proc; -1 where unreadable. */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // Fields 14 and 15 of stat (utime, stime), counted after the command name's closing parenthesis.
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (Exception e) {
            return -1;
        }
    }

    /** Runs one stream on the right path and records the CPU time each process spent on it. */
    private record Runner(TransportOptions o, io.grpc.Channel sender, String senderEndpoint, io.grpc.Channel projector,
            long senderPid, long projectorPid, Map<StreamClient.Result, Map<String, Double>> cpu) {
        StreamClient.Result run(String path, CodecSpec codec, int tokens) throws Exception {
            long self = ProcessHandle.current().pid();
            double s0 = cpuSeconds(senderPid), p0 = cpuSeconds(projectorPid), c0 = cpuSeconds(self);
            StreamClient.Result r = stream(path, codec, tokens);
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("sender_cpu_s", cpuSeconds(senderPid) - s0);
            if (path.equals("two-hop")) {
                m.put("projector_cpu_s", cpuSeconds(projectorPid) - p0);
            }
            m.put("client_cpu_s", cpuSeconds(self) - c0);
            cpu.put(r, m);
            return r;
        }

        private StreamClient.Result stream(String path, CodecSpec codec, int tokens) throws Exception {
            String prompt = prompt(tokens);
            return path.equals("one-hop")
                    ? StreamClient.oneHop(sender, prompt, codec, o.chunkTokens(), o.creditWindow(),
                            CALL_TIMEOUT_S)
                    : StreamClient.twoHop(projector, senderEndpoint, QWEN3_0_6B.modelId(), prompt, codec,
                            o.chunkTokens(), o.creditWindow(), CALL_TIMEOUT_S);
        }
    }

    /** A prompt of exactly {@code tokens} tokens for the synthetic sender (one token per UTF-8 byte). */
    static String prompt(int tokens) {
        StringBuilder b = new StringBuilder(tokens);
        long x = 0x2545F4914F6CDD1DL;
        while (b.length() < tokens) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            int r = (int) Math.floorMod(x, 28L);
            b.append(r >= 26 ? ' ' : (char) ('a' + r));
        }
        return b.toString();
    }
}
