package io.latentlink.bench.transport;

import io.latentlink.core.codec.CodecSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** TransportBench's command line. */
record TransportOptions(List<Integer> tokens, List<CodecSpec> codecs, List<String> paths, int repeats,
        int chunkTokens, int creditWindow, int maxChunkBytes, int iperfSeconds, boolean iperf3, Path out,
        Path stats) {

    static final String USAGE = """
            TransportBench [--tokens 1024,4096,16384] [--codecs fp32,fp16,int8,int8:per_channel] [--paths one-hop,two-hop]
                           [--repeats 3] [--chunk-tokens 32] [--credit-window 8] [--max-chunk-bytes 1048576]
                           [--iperf3-seconds 5] [--no-iperf3] [--stats bench/results/kv-stats.json]
                           [--out bench/results/transport.json]""";

    static TransportOptions parse(String... args) {
        List<Integer> tokens = List.of(1024, 4096, 16384);
        List<CodecSpec> codecs = codecs("fp32,fp16,int8,int8:per_channel");
        List<String> paths = List.of("one-hop", "two-hop");
        int repeats = 3, chunkTokens = 32, window = 8, maxChunk = 1 << 20, iperfSeconds = 5;
        boolean iperf = true;
        Path out = Path.of("bench/results/transport.json");
        Path stats = Path.of("bench/results/kv-stats.json");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--no-iperf3")) {
                iperf = false;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value\n" + USAGE);
            }
            String v = args[++i];
            switch (a) {
                case "--tokens" -> tokens = positiveInts(a, v);
                case "--codecs" -> codecs = codecs(v);
                case "--paths" -> {
                    paths = List.of(v.split(","));
                    for (String p : paths) {
                        if (!p.equals("one-hop") && !p.equals("two-hop")) {
                            throw new IllegalArgumentException("--paths: one-hop or two-hop, not '" + p + "'");
                        }
                    }
                }
                case "--repeats" -> repeats = positiveInts(a, v).get(0);
                case "--chunk-tokens" -> chunkTokens = positiveInts(a, v).get(0);
                case "--credit-window" -> window = positiveInts(a, v).get(0);
                case "--max-chunk-bytes" -> maxChunk = positiveInts(a, v).get(0);
                case "--iperf3-seconds" -> iperfSeconds = positiveInts(a, v).get(0);
                case "--out" -> out = Path.of(v);
                case "--stats" -> stats = Path.of(v);
                default -> throw new IllegalArgumentException("unknown flag " + a + "\n" + USAGE);
            }
        }
        return new TransportOptions(tokens, codecs, paths, repeats, chunkTokens, window, maxChunk, iperfSeconds,
                iperf, out, stats);
    }

    /**
     * {@code int8} (and {@code int8z}) means per-token scales (the nodes' default); {@code int8:per_channel} the other
     * layout; other codec parameters keep their defaults.
     */
    static List<CodecSpec> codecs(String list) {
        List<CodecSpec> out = new ArrayList<>();
        for (String c : list.split(",")) {
            String[] p = c.split(":", 2);
            if (p[0].equals("int8") || p[0].equals("int8z")) {
                out.add(new CodecSpec(p[0], Map.of("scales", p.length == 2 ? p[1] : "per_token")));
            } else if (p.length == 1) {
                out.add(new CodecSpec(p[0], Map.of()));
            } else {
                throw new IllegalArgumentException("--codecs: only int8 and int8z take a scale layout, got '" + c + "'");
            }
        }
        return out;
    }

    private static List<Integer> positiveInts(String flag, String v) {
        List<Integer> out = new ArrayList<>();
        for (String s : v.split(",")) {
            int n;
            try {
                n = Integer.parseInt(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + ": not a number: '" + s + "'");
            }
            if (n <= 0) {
                throw new IllegalArgumentException(flag + ": must be positive, got " + n);
            }
            out.add(n);
        }
        return out;
    }
}
