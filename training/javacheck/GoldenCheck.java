// Parity check of the exported artifacts with the exact Java libraries the project uses
// (ONNX Runtime 1.29 + DJL HF tokenizers 0.38). Run: training/javacheck/run.sh
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.*;
import com.google.gson.*;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.*;
import java.util.*;

public class GoldenCheck {
    static OrtEnvironment env = OrtEnvironment.getEnvironment();

    public static void main(String[] a) throws Exception {
        Path models = Paths.get(a.length > 0 ? a[0] : "models");
        int fails = 0;
        Map<String, HuggingFaceTokenizer> toks = new HashMap<>();
        Map<String, OrtSession> sess = new HashMap<>();
        Map<String, JsonObject> cfgs = new HashMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(models.resolve("golden"), "*.json")) {
            List<Path> files = new ArrayList<>(); ds.forEach(files::add); Collections.sort(files);
            for (Path f : files) {
                JsonObject g = JsonParser.parseString(Files.readString(f)).getAsJsonObject();
                if (g.has("kind")) { System.out.printf("%-28s (end-to-end C2C reference for core/, not checked here)%n", f.getFileName()); continue; }
                if (!g.has("model")) { fails += checkFuser(models, g, f); continue; }
                String mid = g.get("model").getAsString();
                Path d = models.resolve(mid);
                if (!toks.containsKey(mid)) {
                    toks.put(mid, HuggingFaceTokenizer.builder().optTokenizerPath(d.resolve("tokenizer.json"))
                        .optAddSpecialTokens(false).build());
                    sess.put(mid, env.createSession(d.resolve("model.onnx").toString(), new OrtSession.SessionOptions()));
                    cfgs.put(mid, JsonParser.parseString(Files.readString(d.resolve("genai_config.json"))).getAsJsonObject());
                }
                // tokenizer parity: ids (after the explicit BOS) and offsets
                Encoding enc = toks.get(mid).encode(g.get("prompt").getAsString());
                long[] ids = enc.getIds();
                JsonArray gi = g.getAsJsonArray("input_ids");
                boolean tokOk = gi.size() == ids.length + 1 && gi.get(0).getAsLong() == 1;
                for (int i = 0; tokOk && i < ids.length; i++) tokOk = gi.get(i + 1).getAsLong() == ids[i];
                if (g.has("offsets")) {  // char spans as used by the C2C alignment (BOS excluded)
                    ai.djl.huggingface.tokenizers.jni.CharSpan[] sp = enc.getCharTokenSpans();
                    JsonArray go = g.getAsJsonArray("offsets");
                    tokOk &= sp.length == go.size();
                    for (int i = 0; tokOk && i < sp.length; i++)
                        tokOk = sp[i].getStart() == go.get(i).getAsJsonArray().get(0).getAsInt()
                             && sp[i].getEnd() == go.get(i).getAsJsonArray().get(1).getAsInt();
                }
                // model parity: chunked prefill then 16 greedy tokens
                JsonObject dec = cfgs.get(mid).getAsJsonObject("model").getAsJsonObject("decoder");
                int L = dec.get("num_hidden_layers").getAsInt(), kvh = dec.get("num_key_value_heads").getAsInt(), hd = dec.get("head_size").getAsInt();
                long[] all = new long[gi.size()]; for (int i = 0; i < all.length; i++) all[i] = gi.get(i).getAsLong();
                float[][] pk = new float[L][0], pv = new float[L][0];
                int p0 = 0; float[] last = null;
                for (JsonElement ce : g.getAsJsonArray("prefill_chunks")) {
                    int ch = ce.getAsInt();
                    last = step(sess.get(mid), Arrays.copyOfRange(all, p0, p0 + ch), p0, pk, pv, L, kvh, hd);
                    p0 += ch;
                }
                JsonArray gl = g.getAsJsonArray("last_logits");
                double md = 0; for (int i = 0; i < last.length; i++) md = Math.max(md, Math.abs(last[i] - gl.get(i).getAsDouble()));
                List<Long> gen = new ArrayList<>();
                int nx = argmax(last);
                for (int t = 0; t < 16; t++) {
                    gen.add((long) nx);
                    if (t == 15) break;
                    float[] lo = step(sess.get(mid), new long[]{nx}, p0, pk, pv, L, kvh, hd); p0++;
                    nx = argmax(lo);
                }
                boolean genOk = true; JsonArray gg = g.getAsJsonArray("greedy_ids");
                for (int i = 0; i < 16; i++) genOk &= gg.get(i).getAsLong() == gen.get(i);
                boolean ok = tokOk && md < 1e-3 && genOk;
                if (!ok) fails++;
                System.out.printf("%-28s tokenizer %s  max|dlogit| %.2e  greedy %s  -> %s%n", f.getFileName(), tokOk, md, genOk, ok ? "OK" : "FAIL");
            }
        }
        System.out.println(fails == 0 ? "ALL OK" : ("FAILURES: " + fails));
        System.exit(fails == 0 ? 0 : 1);
    }

    static int argmax(float[] x) { int b = 0; for (int i = 1; i < x.length; i++) if (x[i] > x[b]) b = i; return b; }

    // runs S tokens on top of the cache (pk/pv are updated to the presents); returns last-position logits
    static float[] step(OrtSession s, long[] ids, int P, float[][] pk, float[][] pv, int L, int kvh, int hd) throws Exception {
        int S = ids.length;
        Map<String, OnnxTensor> in = new HashMap<>();
        long[] am = new long[P + S]; Arrays.fill(am, 1);
        long[] pos = new long[S]; for (int i = 0; i < S; i++) pos[i] = P + i;
        in.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[]{1, S}));
        in.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(am), new long[]{1, P + S}));
        in.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(pos), new long[]{1, S}));
        for (int l = 0; l < L; l++) {
            in.put("past_key_values." + l + ".key", OnnxTensor.createTensor(env, FloatBuffer.wrap(pk[l]), new long[]{1, kvh, P, hd}));
            in.put("past_key_values." + l + ".value", OnnxTensor.createTensor(env, FloatBuffer.wrap(pv[l]), new long[]{1, kvh, P, hd}));
        }
        try (OrtSession.Result r = s.run(in)) {
            float[][][] lg = (float[][][]) r.get("logits").get().getValue();
            for (int l = 0; l < L; l++) {
                pk[l] = flat(((OnnxTensor) r.get("present." + l + ".key").get()));
                pv[l] = flat(((OnnxTensor) r.get("present." + l + ".value").get()));
            }
            return lg[0][S - 1];
        } finally { for (OnnxTensor t : in.values()) t.close(); }
    }

    static float[] flat(OnnxTensor t) { FloatBuffer b = t.getFloatBuffer(); float[] x = new float[b.remaining()]; b.get(x); return x; }

    static int checkFuser(Path models, JsonObject g, Path f) throws Exception {
        int layer = g.get("layer").getAsInt(), T = g.get("shape_T").getAsInt();
        JsonObject man = JsonParser.parseString(Files.readString(models.resolve("fuser-rx-sx/fuser.json"))).getAsJsonObject();
        JsonObject rcfg = JsonParser.parseString(Files.readString(models.resolve("rx/genai_config.json"))).getAsJsonObject().getAsJsonObject("model").getAsJsonObject("decoder");
        JsonObject scfg = JsonParser.parseString(Files.readString(models.resolve("sx/genai_config.json"))).getAsJsonObject().getAsJsonObject("model").getAsJsonObject("decoder");
        String file = man.getAsJsonObject("graphs").get(String.valueOf(layer)).getAsString();
        try (OrtSession s = env.createSession(models.resolve("fuser-rx-sx").resolve(file).toString(), new OrtSession.SessionOptions())) {
            Map<String, OnnxTensor> in = new HashMap<>();
            JsonObject ins = g.getAsJsonObject("inputs");
            for (String n : ins.keySet()) {
                boolean rx = n.startsWith("receiver");
                JsonObject c = rx ? rcfg : scfg;
                JsonArray arr = ins.getAsJsonArray(n); float[] x = new float[arr.size()];
                for (int i = 0; i < x.length; i++) x[i] = arr.get(i).getAsFloat();
                in.put(n, OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[]{1, c.get("num_key_value_heads").getAsInt(), T, c.get("head_size").getAsInt()}));
            }
            double md = 0;
            try (OrtSession.Result r = s.run(in)) {
                for (String o : new String[]{"fused_key", "fused_value"}) {
                    float[] y = flat((OnnxTensor) r.get(o).get()); JsonArray e = g.getAsJsonArray(o);
                    for (int i = 0; i < y.length; i++) md = Math.max(md, Math.abs(y[i] - e.get(i).getAsDouble()));
                }
            }
            boolean ok = md < 1e-4;
            System.out.printf("%-28s fuser max|d| %.2e -> %s%n", f.getFileName(), md, ok ? "OK" : "FAIL");
            return ok ? 0 : 1;
        }
    }
}
