package io.latentlink.bench.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.latentlink.bench.modes.MachineInfo;
import io.latentlink.core.codec.CodecRegistry;
import io.latentlink.core.codec.CodecSpec;
import io.latentlink.core.codec.KvBlockShape;
import io.latentlink.core.codec.KvCodec;
import io.latentlink.core.wire.KvSliceShape;
import io.latentlink.transport.PayloadCodec;
import io.latentlink.transport.PayloadCodecs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes {@code bench/results/codecs.json} (schema: the codecs section of the suite's SCHEMAS): the JMH runs of
 * {@code CodecBenchmark} as GB/s per core with the bytes each codec wrote for that block, and the wire size and
 * error of every codec on the demo models' real KV, chunk by chunk as the nodes send it.
 * <pre>
 * CodecReport --jmh raw.json [--jmh more.json] --models models --prompts 40 --codecs fp16,int8,int8z
 *             --out bench/results/codecs.json --command "..." [--load-before "1.0 1.1 1.2"] [--setting key=value ...]
 * </pre>
 * Real-KV rows per model: keys, values (each side as one block {@code [layers * kvHeads, tokens, headDim]} per chunk)
 * and the whole chunk payload as {@link PayloadCodec} puts it on the wire (framing included).
 */
public final class CodecReport {

    private CodecReport() {
    }

    public static void main(String[] args) throws IOException {
        List<Path> jmh = new ArrayList<>();
        Path models = Path.of("models");
        int prompts = 40;
        List<String> codecs = List.of("fp16", "int8", "int8z");
        Path out = Path.of("bench/results/codecs.json");
        String command = "";
        String loadBefore = "unknown";
        Map<String, Object> settings = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            if (v == null) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            switch (args[i]) {
                case "--jmh" -> jmh.add(Path.of(v));
                case "--models" -> models = Path.of(v);
                case "--prompts" -> prompts = Integer.parseInt(v);
                case "--codecs" -> codecs = List.of(v.split(","));
                case "--out" -> out = Path.of(v);
                case "--command" -> command = v;
                case "--load-before" -> loadBefore = v;
                case "--setting" -> settings.put(v.substring(0, v.indexOf('=')), v.substring(v.indexOf('=') + 1));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
            i++;
        }
        settings.put("real_kv_prompts", prompts);
        settings.put("chunk_tokens", CodecData.CHUNK_TOKENS);
        settings.put("real_kv_codecs", codecs);

        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("name", "codecs");
        report.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        report.put("commit", MachineInfo.gitCommit(Path.of(".")));
        report.put("command", command);
        report.put("settings", settings);
        report.put("runs", runs(json, jmh, models));
        List<Map<String, Object>> ratios = new ArrayList<>();
        for (String model : new String[] {"rx", "sx"}) {
            ratios.addAll(realKv(models, model, prompts, codecs));
        }
        report.put("real_kv_ratios", ratios);
        List<Map<String, Object>> bounds = new ArrayList<>();
        for (String model : new String[] {"rx", "sx"}) {
            bounds.addAll(order0Bounds(models, model, prompts));
        }
        report.put("entropy_coder_bounds", bounds);
        Map<String, Object> machine = MachineInfo.collect(Path.of("."));
        report.put("machine", String.format(Locale.ROOT, "%s cores (%s), %s, %s; load average before: %s, after: %s",
                machine.get("cores"), machine.get("cpu"), machine.get("uname"), machine.get("java"), loadBefore,
                MachineInfo.loadAverage()));
        Files.createDirectories(out.toAbsolutePath().getParent());
        json.writeValue(out.toFile(), report);
        System.out.println("wrote " + out);
    }

    /** One row per JMH (codec, data), encode and decode side by side. */
    static List<Map<String, Object>> runs(ObjectMapper json, List<Path> files, Path models) throws IOException {
        Map<String, Map<String, Object>> rows = new LinkedHashMap<>();
        Map<String, CodecData.Block> blocks = new HashMap<>();
        for (Path f : files) {
            for (JsonNode r : json.readTree(f.toFile())) {
                String method = r.path("benchmark").asText();
                String op = method.substring(method.lastIndexOf('.') + 1);
                String codecParam = r.path("params").path("codec").asText();
                String data = r.path("params").path("data").asText();
                Map<String, Object> row = rows.computeIfAbsent(codecParam + "|" + data, k -> {
                    CodecSpec spec = CodecRegistry.standard().get(CodecSpecs.parse(codecParam)).spec();
                    CodecData.Block block = blocks.computeIfAbsent(data, d -> CodecData.block(d, models));
                    int written = encode(CodecRegistry.standard().get(spec), block.values(), block.shape()).length;
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("codec", spec.id());
                    m.put("codec_params", new java.util.TreeMap<>(spec.params()));
                    KvBlockShape s = block.shape();
                    m.put("shape", "[" + s.heads() + "," + s.tokens() + "," + s.headDim() + "]");
                    m.put("data", data.startsWith("synthetic") ? "synthetic"
                            : data.replace('-', ' ') + " real (one 32-token chunk, all layers)");
                    m.put("encode_gb_per_s", null);
                    m.put("decode_gb_per_s", null);
                    m.put("encode_error", null);
                    m.put("decode_error", null);
                    m.put("bytes_per_value", written / (double) s.elements());
                    m.put("ratio_vs_fp16", written / (2.0 * s.elements()));
                    return m;
                });
                JsonNode bytes = r.path("secondaryMetrics").path("bytes");
                row.put(op + "_gb_per_s", gbPerSecond(bytes.path("score")));
                row.put(op + "_error", gbPerSecond(bytes.path("scoreError"))); // JMH reports NaN below 3 iterations
            }
        }
        return new ArrayList<>(rows.values());
    }

    private static Double gbPerSecond(JsonNode bytesPerSecond) {
        double v = bytesPerSecond.asDouble(Double.NaN);
        return Double.isFinite(v) ? v / 1e9 : null;
    }

    /** Wire bytes and error of each codec on a model's real KV: keys, values, and whole chunk payloads. */
    static List<Map<String, Object>> realKv(Path models, String model, int prompts, List<String> codecs) {
        List<CodecData.Chunk> chunks = CodecData.realChunks(models, model, prompts);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String c : codecs) {
            KvCodec codec = CodecRegistry.standard().get(CodecSpecs.parse(c));
            PayloadCodec payload = PayloadCodecs.lookup(codec.id(), codec.spec().params());
            long[] wire = new long[3];
            long elements = 0;
            double[][] err = new double[3][2];
            double[] worstRow = new double[3];
            for (CodecData.Chunk chunk : chunks) {
                KvBlockShape side = chunk.sideShape();
                elements += 2L * side.elements();
                for (int kv = 0; kv < 2; kv++) {
                    float[] x = chunk.side(kv);
                    byte[] bytes = encode(codec, x, side);
                    wire[kv] += bytes.length;
                    float[] y = new float[x.length];
                    codec.decode(ByteBuffer.wrap(bytes), side, FloatBuffer.wrap(y));
                    for (int slot : new int[] {kv, 2}) {
                        worstRow[slot] = Math.max(worstRow[slot], accumulate(x, y, side.headDim(), err[slot]));
                    }
                }
                KvSliceShape slice = new KvSliceShape(0, chunk.layers(), 0, chunk.tokens(), chunk.kvHeads(),
                        chunk.headDim());
                wire[2] += payload.encode(chunk.values(), slice).length;
            }
            String[] kinds = {"K", "V", "K+V"};
            for (int k = 0; k < 3; k++) {
                long values = k == 2 ? elements : elements / 2;
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("model", model);
                m.put("kv", kinds[k]);
                m.put("codec", codec.id());
                m.put("codec_params", new java.util.TreeMap<>(codec.spec().params()));
                m.put("raw_bytes", values * Float.BYTES);
                m.put("wire_bytes", wire[k]);
                m.put("ratio_vs_fp16", wire[k] / (2.0 * values));
                m.put("bits_per_value", 8.0 * wire[k] / values);
                m.put("rel_rmse", Math.sqrt(err[k][0] / err[k][1]));
                m.put("worst_row_rel_error", worstRow[k]);
                m.put("chunks", chunks.size());
                m.put("prompts", prompts);
                rows.add(m);
            }
            System.out.printf(Locale.ROOT, "%s %-50s K %.4f  V %.4f  K+V %.4f x fp16, rel RMSE %.5f%n", model,
                    codec.spec(), wire[0] / (double) elements, wire[1] / (double) elements,
                    wire[2] / (2.0 * elements), Math.sqrt(err[2][0] / err[2][1]));
        }
        return rows;
    }

    /**
     * What any order-0 entropy coder (Huffman, rANS) could make of the default int8's codes, per chunk side: the
     * empirical entropy of each side's codes, table cost ignored, plus the fp16 scales as they are. A lower bound for
     * a hand-written coder of the int8z kind, to compare with what zstd achieves.
     */
    static List<Map<String, Object>> order0Bounds(Path models, String model, int prompts) {
        KvCodec int8 = CodecRegistry.standard().get("int8");
        List<CodecData.Chunk> chunks = CodecData.realChunks(models, model, prompts);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int kv = 0; kv < 2; kv++) {
            double codeBits = 0;
            long values = 0;
            long scaleBytes = 0;
            for (CodecData.Chunk chunk : chunks) {
                KvBlockShape side = chunk.sideShape();
                byte[] bytes = encode(int8, chunk.side(kv), side);
                int scales = bytes.length - side.elements();
                long[] histogram = new long[256];
                for (int i = scales; i < bytes.length; i++) {
                    histogram[bytes[i] & 0xFF]++;
                }
                for (long h : histogram) {
                    if (h > 0) {
                        codeBits -= h * (Math.log((double) h / side.elements()) / Math.log(2));
                    }
                }
                values += side.elements();
                scaleBytes += scales;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", model);
            m.put("kv", kv == 0 ? "K" : "V");
            m.put("codec", "int8");
            m.put("order0_code_bits_per_value", codeBits / values);
            m.put("scale_bits_per_value", 8.0 * scaleBytes / values);
            m.put("order0_bound_ratio_vs_fp16", (codeBits + 8.0 * scaleBytes) / (16.0 * values));
            rows.add(m);
        }
        return rows;
    }

    static byte[] encode(KvCodec codec, float[] x, KvBlockShape shape) {
        ByteBuffer wire = ByteBuffer.allocate(codec.encodedSize(shape));
        int n = codec.encode(FloatBuffer.wrap(x), shape, wire);
        return java.util.Arrays.copyOf(wire.array(), n);
    }

    /** Adds squared error and squared reference to {@code sums}; returns the worst row's relative error. */
    private static double accumulate(float[] x, float[] y, int headDim, double[] sums) {
        double worst = 0;
        for (int row = 0; row < x.length / headDim; row++) {
            double e = 0;
            double r = 0;
            for (int d = row * headDim; d < (row + 1) * headDim; d++) {
                double diff = x[d] - y[d];
                e += diff * diff;
                r += (double) x[d] * x[d];
            }
            sums[0] += e;
            sums[1] += r;
            if (r > 0) {
                worst = Math.max(worst, Math.sqrt(e / r));
            }
        }
        return worst;
    }
}
