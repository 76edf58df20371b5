package io.latentlink.core.codec;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentlink.core.tokenizer.TextTokenizer;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reconstruction error of the lossy codecs on synthetic KV with outliers and, when the demo models are present, on
 * the real KV cache of a prefill (not a unit test). Chunks are cut along tokens as the sender cuts them, so the
 * per-channel scales see only one chunk's tokens. Run after {@code ./mvnw -pl core test-compile}:
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp "core/target/classes:core/target/test-classes:$(cat cp.txt)" \
 *   io.latentlink.core.codec.CodecErrorStudy models
 * </pre>
 * Prints relative RMSE {@code ||x - x'|| / ||x||} and the worst row's relative error, per data set and codec; for
 * the real models the RMSE is averaged over layers and the worst row taken over all layers.
 */
public final class CodecErrorStudy {

    private static final String[] CODECS = {"fp16", "int8:per_token", "int8:per_channel"};
    /** The byte-level sharer has one position per byte and learned positions below 512: stay inside. */
    private static final int MAX_PROMPT_CHARS = 480;

    private CodecErrorStudy() {
    }

    public static void main(String[] args) throws Exception {
        System.out.printf("%-34s %6s  %-26s %12s %14s%n", "data", "chunk", "codec", "rel RMSE", "worst row rel");
        KvBlockShape shape = new KvBlockShape(4, 256, 64);
        Map<String, float[]> synthetic = new LinkedHashMap<>();
        synthetic.put("synthetic plain gaussian", KvTestData.block(shape, 1, 1f, 1f));
        synthetic.put("synthetic K: outlier channels x15", KvTestData.block(shape, 2, 15f, 1f));
        synthetic.put("synthetic V: outlier token0 x20", KvTestData.block(shape, 3, 1f, 20f));
        synthetic.put("synthetic both", KvTestData.block(shape, 4, 15f, 20f));
        for (Map.Entry<String, float[]> e : synthetic.entrySet()) {
            for (int chunk : new int[] {16, 256}) {
                report(e.getKey(), e.getValue(), shape, chunk);
            }
        }
        if (args.length > 0) {
            Path models = Path.of(args[0]);
            for (String model : new String[] {"rx", "sx"}) {
                if (Files.isRegularFile(models.resolve(model).resolve("model.onnx"))) {
                    realKv(models, model);
                } else {
                    System.out.println("(no " + models.resolve(model) + "/model.onnx: real KV skipped)");
                }
            }
        }
    }

    private static void report(String name, float[] block, KvBlockShape shape, int chunkTokens) {
        for (String c : CODECS) {
            double[] e = measure(codec(c), block, shape, chunkTokens);
            System.out.printf("%-34s %6d  %-26s %12.5f %14.5f%n", name, chunkTokens, codec(c).spec(), e[0], e[1]);
        }
    }

    private static KvCodec codec(String c) {
        String[] parts = c.split(":");
        return parts.length == 1 ? CodecRegistry.standard().get(parts[0])
                : CodecRegistry.standard().get(CodecSpec.of(parts[0], "scales", parts[1]));
    }

    /** {relative RMSE, worst row's relative error} of a chunked round trip. */
    private static double[] measure(KvCodec codec, float[] block, KvBlockShape shape, int chunkTokens) {
        {
            float[] decoded = roundTripInChunks(codec, block, shape, chunkTokens);
            double errSq = 0;
            double refSq = 0;
            double worstRow = 0;
            int hd = shape.headDim();
            for (int row = 0; row < shape.rows(); row++) {
                double rowErr = 0;
                double rowRef = 0;
                for (int d = 0; d < hd; d++) {
                    double diff = block[row * hd + d] - decoded[row * hd + d];
                    rowErr += diff * diff;
                    rowRef += (double) block[row * hd + d] * block[row * hd + d];
                }
                errSq += rowErr;
                refSq += rowRef;
                if (rowRef > 0) {
                    worstRow = Math.max(worstRow, Math.sqrt(rowErr / rowRef));
                }
            }
            return new double[] {Math.sqrt(errSq / refSq), worstRow};
        }
    }

    /** Encodes and decodes the block chunk by chunk along tokens, straight from and into the full buffers. */
    private static float[] roundTripInChunks(KvCodec codec, float[] block, KvBlockShape shape, int chunkTokens) {
        FloatBuffer src = KvTestData.direct(block);
        FloatBuffer dst = KvTestData.direct(new float[block.length]);
        int stride = shape.contiguousHeadStride();
        for (int t0 = 0; t0 < shape.tokens(); t0 += chunkTokens) {
            KvBlockShape chunk = new KvBlockShape(shape.heads(), Math.min(chunkTokens, shape.tokens() - t0),
                    shape.headDim());
            ByteBuffer wire = ByteBuffer.allocateDirect(codec.encodedSize(chunk));
            codec.encode(src.position(t0 * shape.headDim()), chunk, stride, wire);
            codec.decode(wire.flip(), chunk, dst.position(t0 * shape.headDim()), stride);
        }
        return KvTestData.toArray(dst.position(0), 0, block.length);
    }

    /** Prefills the model on LinkQA prompts and reports every layer's K and V. */
    private static void realKv(Path models, String model) throws Exception {
        Path dir = models.resolve(model);
        JsonNode config = new ObjectMapper().readTree(dir.resolve("genai_config.json").toFile());
        JsonNode decoder = config.path("model").path("decoder");
        int layers = decoder.path("num_hidden_layers").asInt();
        int kvHeads = decoder.path("num_key_value_heads").asInt();
        int headSize = decoder.path("head_size").asInt();
        JsonNode io = decoder.path("inputs");
        JsonNode out = decoder.path("outputs");
        String text = prompts(models);
        long[] ids;
        try (TextTokenizer tok = TextTokenizer.load(dir)) {
            // As the models are fed (docs/ARTIFACTS.md): BOS, then the text's tokens.
            long[] textIds = tok.encode(text).idsAsLongs();
            ids = new long[textIds.length + 1];
            ids[0] = config.path("model").path("bos_token_id").asLong(1);
            System.arraycopy(textIds, 0, ids, 1, textIds.length);
        }
        int n = ids.length;
        long[] mask = new long[n];
        long[] pos = new long[n];
        for (int i = 0; i < n; i++) {
            mask[i] = 1;
            pos[i] = i;
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(dir.resolve(decoder.path("filename").asText("model.onnx")).toString())) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            long[] shape2 = {1, n};
            inputs.put(io.path("input_ids").asText(), OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape2));
            inputs.put(io.path("attention_mask").asText(), OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape2));
            if (session.getInputNames().contains(io.path("position_ids").asText())) {
                inputs.put(io.path("position_ids").asText(), OnnxTensor.createTensor(env, LongBuffer.wrap(pos), shape2));
            }
            long[] emptyPast = {1, kvHeads, 0, headSize};
            for (int l = 0; l < layers; l++) {
                for (String kind : new String[] {"past_key_names", "past_value_names"}) {
                    inputs.put(String.format(io.path(kind).asText(), l),
                            OnnxTensor.createTensor(env, FloatBuffer.allocate(0), emptyPast));
                }
            }
            try (OrtSession.Result result = session.run(inputs)) {
                KvBlockShape shape = new KvBlockShape(kvHeads, n, headSize);
                List<float[]> keys = new ArrayList<>();
                List<float[]> values = new ArrayList<>();
                for (int l = 0; l < layers; l++) {
                    keys.add(floats(result, String.format(out.path("present_key_names").asText(), l)));
                    values.add(floats(result, String.format(out.path("present_value_names").asText(), l)));
                }
                // One line per (K or V, chunk size, codec): RMSE averaged over layers, worst row over all layers.
                for (String kind : new String[] {"K", "V"}) {
                    for (int chunk : new int[] {16, n}) {
                        for (String c : CODECS) {
                            double rmse = 0;
                            double worst = 0;
                            for (int l = 0; l < layers; l++) {
                                double[] e = measure(codec(c), (kind.equals("K") ? keys : values).get(l), shape, chunk);
                                rmse += e[0] / layers;
                                worst = Math.max(worst, e[1]);
                            }
                            System.out.printf("%-34s %6d  %-26s %12.5f %14.5f%n",
                                    model + " " + kind + ", " + layers + " layers, " + n + " tok", chunk,
                                    codec(c).spec(), rmse, worst);
                        }
                    }
                }
            } finally {
                inputs.values().forEach(OnnxTensor::close);
            }
        }
    }

    private static float[] floats(OrtSession.Result result, String name) throws Exception {
        OnnxTensor t = (OnnxTensor) result.get(name).orElseThrow(() -> new IllegalStateException("no output " + name));
        FloatBuffer b = t.getFloatBuffer();
        float[] a = new float[b.remaining()];
        b.get(a);
        return a;
    }

    private static String prompts(Path models) throws Exception {
        Path linkqa = models.resolve("linkqa/context-val.jsonl");
        if (!Files.isRegularFile(linkqa)) {
            return "Context: Mira Tolsen lives in Varn and works as a baker. Ilse Marrow lives in Quell. "
                    + "Question: Where does Mira Tolsen live? Answer:";
        }
        ObjectMapper json = new ObjectMapper();
        StringBuilder sb = new StringBuilder();
        for (String line : Files.readAllLines(linkqa)) {
            if (line.isBlank()) {
                continue;
            }
            String prompt = json.readTree(line).path("prompt").asText();
            if (sb.length() + prompt.length() + 1 > MAX_PROMPT_CHARS) {
                break;
            }
            sb.append(prompt).append('\n');
        }
        return sb.toString().strip();
    }
}
