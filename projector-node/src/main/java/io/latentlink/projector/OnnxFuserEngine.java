package io.latentlink.projector;

import io.latentlink.core.fusion.FuserException;
import io.latentlink.core.fusion.FuserRunner;
import io.latentlink.core.fusion.KvGather;
import io.latentlink.core.fusion.LayerKv;
import io.latentlink.core.link.InProcessLink;
import io.latentlink.core.model.ModelManifest;
import io.latentlink.core.tokenizer.AlignmentStrategy;
import io.latentlink.core.tokenizer.TextTokenizer;
import io.latentlink.core.tokenizer.TokenAligner;
import io.latentlink.core.tokenizer.TokenEncoding;
import io.latentlink.core.wire.KvGeometry;
import io.latentlink.core.wire.KvSliceShape;
import io.latentlink.core.wire.KvSlicer;
import io.latentlink.core.wire.WireException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Fusion over core's {@link FuserRunner}, with the C2C procedure of docs/ARTIFACTS.md exactly as core's in-process
 * reference ({@link InProcessLink#fuseInto}) runs it: both tokenizations with BOS, receiver-based alignment by the
 * manifest's strategy over all but the last receiver token, the layer map and gates of fuser.json. Fusers are
 * loaded from {@code <models>/<fuser id>} on first use, with the tokenizers of the two models they name, and are
 * bound to those models' sha256.
 */
public final class OnnxFuserEngine implements FuserEngine, AutoCloseable {

    private static final Pattern FOLDER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final Path modelsDir;
    private final Map<String, Loaded> fusers = new ConcurrentHashMap<>();

    /** A fuser with what it needs to align: both models' tokenizers, manifests (BOS) and geometries. */
    private record Loaded(FuserRunner runner, AlignmentStrategy alignment, TextTokenizer receiverTokenizer,
            ModelManifest receiverManifest, KvGeometry receiver, TextTokenizer sharerTokenizer,
            ModelManifest sharerManifest, KvGeometry sharer) {
    }

    public OnnxFuserEngine(Path modelsDir) {
        this.modelsDir = modelsDir;
    }

    @Override
    public Fusion open(String fuserId, String receiverModelId, String receiverManifestHash, String prompt) {
        if (fuserId == null || !FOLDER.matcher(fuserId).matches()) {
            throw new IllegalArgumentException("fuser id must be a plain folder name, got '" + fuserId + "'");
        }
        Loaded f = fusers.computeIfAbsent(fuserId, this::load);
        if (!f.receiver().modelId().equals(receiverModelId)) {
            throw new WireException(WireException.Kind.UNKNOWN_MODEL, "fuser " + fuserId + " fuses into '"
                    + f.receiver().modelId() + "', not '" + receiverModelId + "'");
        }
        if (!receiverManifestHash.isEmpty() && !receiverManifestHash.equalsIgnoreCase(f.receiver().manifestHash())) {
            throw new WireException(WireException.Kind.UNKNOWN_MODEL, "fuser " + fuserId + " was trained for "
                    + receiverModelId + " " + f.receiver().manifestHash() + ", not " + receiverManifestHash);
        }
        return new OnnxFusion(f, prompt);
    }

    /** Loads a fuser now (startup), so that configuration errors surface early and first calls are not slow. */
    public void preload(String fuserId) {
        fusers.computeIfAbsent(fuserId, this::load);
    }

    private Loaded load(String fuserId) {
        Path folder = modelsDir.resolve(fuserId);
        if (!Files.isDirectory(folder)) {
            throw new WireException(WireException.Kind.UNKNOWN_MODEL, "no fuser '" + fuserId + "' in " + modelsDir);
        }
        try {
            FuserRunner runner = FuserRunner.load(folder);
            var m = runner.manifest();
            ModelManifest rm = ModelManifest.load(modelsDir.resolve(m.receiver().id()));
            ModelManifest sm = ModelManifest.load(modelsDir.resolve(m.sharer().id()));
            runner.requireModels(m.receiver().id(), rm.modelFileSha256(), m.sharer().id(), sm.modelFileSha256());
            return new Loaded(runner, AlignmentStrategy.parse(m.alignment()),
                    TextTokenizer.load(modelsDir.resolve(m.receiver().id()).resolve("tokenizer.json")), rm,
                    geometry(m.receiver().id(), rm),
                    TextTokenizer.load(modelsDir.resolve(m.sharer().id()).resolve("tokenizer.json")), sm,
                    geometry(m.sharer().id(), sm));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load fuser " + folder, e);
        } catch (FuserException e) {
            throw new WireException(WireException.Kind.UNKNOWN_MODEL, e.getMessage());
        }
    }

    private static KvGeometry geometry(String id, ModelManifest m) {
        var layout = m.kvLayout();
        return new KvGeometry(id, m.modelFileSha256(), layout.layers(), layout.kvHeads(), layout.headDim());
    }

    /** The models' convention (core's LinkModel.encode): no special tokens from the tokenizer, BOS prepended. */
    static TokenEncoding withBos(TextTokenizer tokenizer, ModelManifest manifest, String text) {
        TokenEncoding plain = tokenizer.encode(text, false);
        if (manifest.bosTokenId().isEmpty()) {
            return plain;
        }
        int n = plain.size();
        int[] ids = new int[n + 1];
        int[] starts = new int[n + 1];
        int[] ends = new int[n + 1];
        boolean[] special = new boolean[n + 1];
        ids[0] = manifest.bosTokenId().getAsInt();
        starts[0] = TokenEncoding.NO_SPAN;
        ends[0] = TokenEncoding.NO_SPAN;
        special[0] = true;
        for (int i = 0; i < n; i++) {
            ids[i + 1] = plain.id(i);
            starts[i + 1] = plain.start(i);
            ends[i + 1] = plain.end(i);
            special[i + 1] = plain.isSpecial(i);
        }
        return TokenEncoding.of(text, ids, starts, ends, special);
    }

    private static final class OnnxFusion implements Fusion {
        private final Loaded f;
        private final int receiverTokens;
        private final int sharerTokens;
        private final int[] aligned;
        private final List<Integer> fusedLayers;
        private final List<Integer> sharerLayers;
        /** Sharer KV per sharer layer, [heads, sharerTokens, headDim], filled in token order. */
        private final float[][] sharerKeys;
        private final float[][] sharerValues;
        private final int[] known;
        private final ArrayDeque<Fused> waiting = new ArrayDeque<>();
        private long pendingBytes;

        OnnxFusion(Loaded f, String prompt) {
            this.f = f;
            TokenEncoding r = withBos(f.receiverTokenizer(), f.receiverManifest(), prompt);
            TokenEncoding s = withBos(f.sharerTokenizer(), f.sharerManifest(), prompt);
            if (r.size() < 2) {
                throw new IllegalArgumentException("C2C needs a prompt of at least one token after BOS");
            }
            this.receiverTokens = r.size() - 1;
            this.sharerTokens = s.size();
            this.aligned = Arrays.copyOf(TokenAligner.align(r, s, f.alignment()), receiverTokens);
            this.fusedLayers = Arrays.stream(f.runner().fusedLayers()).sorted().boxed().toList();
            this.sharerLayers = fusedLayers.stream().map(f.runner()::sharerLayer).distinct().sorted().toList();
            int n = f.sharer().layers();
            this.sharerKeys = new float[n][];
            this.sharerValues = new float[n][];
            this.known = new int[n];
            for (int l : sharerLayers) {
                sharerKeys[l] = new float[f.sharer().kvHeads() * sharerTokens * f.sharer().headSize()];
                sharerValues[l] = new float[sharerKeys[l].length];
            }
        }

        @Override
        public KvGeometry receiver() {
            return f.receiver();
        }

        @Override
        public KvGeometry sharer() {
            return f.sharer();
        }

        @Override
        public List<Integer> fusedLayers() {
            return fusedLayers;
        }

        @Override
        public List<Integer> sharerLayers() {
            return sharerLayers;
        }

        @Override
        public int receiverTokens() {
            return receiverTokens;
        }

        @Override
        public void acceptSharer(KvSliceShape s, float[] values) {
            if (s.tokenEnd() > sharerTokens) {
                throw new WireException(WireException.Kind.MALFORMED, "sharer chunk reaches token " + s.tokenEnd()
                        + ", the prompt has " + sharerTokens + " sharer tokens (tokenizer mismatch?)");
            }
            for (int l = s.layerStart(); l < s.layerEnd(); l++) {
                if (sharerKeys[l] == null) {
                    throw new WireException(WireException.Kind.MALFORMED, "sharer sent unrequested layer " + l);
                }
                if (s.tokenStart() != known[l]) {
                    throw new WireException(WireException.Kind.MALFORMED, "sharer layer " + l + " jumped from token "
                            + known[l] + " to " + s.tokenStart());
                }
            }
            KvSlicer.scatter(values, s, sharerKeys, sharerValues, sharerTokens);
            for (int l = s.layerStart(); l < s.layerEnd(); l++) {
                known[l] = s.tokenEnd();
            }
        }

        @Override
        public void sharerDone(int tokens) {
            if (tokens != sharerTokens) {
                throw new WireException(WireException.Kind.MALFORMED, "sharer prefilled " + tokens
                        + " tokens, the fuser's tokenization of the prompt has " + sharerTokens);
            }
            for (int l : sharerLayers) {
                if (known[l] != sharerTokens) {
                    throw new WireException(WireException.Kind.MALFORMED, "sharer ended with layer " + l + " at "
                            + known[l] + " of " + sharerTokens + " tokens");
                }
            }
        }

        @Override
        public void acceptReceiver(KvSliceShape s, float[] values) {
            for (int l = s.layerStart(); l < s.layerEnd(); l++) {
                if (!f.runner().isFused(l)) {
                    throw new WireException(WireException.Kind.MALFORMED, "receiver sent layer " + l
                            + " whose gate is closed");
                }
            }
            if (s.tokenEnd() > receiverTokens) {
                throw new WireException(WireException.Kind.MALFORMED, "receiver chunk reaches token " + s.tokenEnd()
                        + ", only " + receiverTokens + " are fused");
            }
            waiting.add(new Fused(s, values));
            pendingBytes += values.length * (long) Float.BYTES;
        }

        private boolean ready(KvSliceShape s) {
            int need = 0;
            for (int t = s.tokenStart(); t < s.tokenEnd(); t++) {
                need = Math.max(need, aligned[t]);
            }
            for (int l = s.layerStart(); l < s.layerEnd(); l++) {
                if (known[f.runner().sharerLayer(l)] <= need) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public List<Fused> poll() {
            List<Fused> out = new ArrayList<>();
            while (!waiting.isEmpty() && ready(waiting.peek().shape())) {
                Fused own = waiting.poll();
                pendingBytes -= own.values().length * (long) Float.BYTES;
                out.add(new Fused(own.shape(), fuse(own.shape(), own.values())));
            }
            return out;
        }

        private float[] fuse(KvSliceShape s, float[] chunk) {
            int[] positions = Arrays.copyOfRange(aligned, s.tokenStart(), s.tokenEnd());
            int block = s.kvHeads() * s.tokens() * s.headSize();
            float[] fused = new float[chunk.length];
            KvGeometry sg = f.sharer();
            for (int i = 0; i < s.layers(); i++) {
                int layer = s.layerStart() + i;
                int sl = f.runner().sharerLayer(layer);
                LayerKv own = new LayerKv(FloatBuffer.wrap(chunk, 2 * i * block, block).slice(),
                        FloatBuffer.wrap(chunk, (2 * i + 1) * block, block).slice(), s.kvHeads(), s.tokens(),
                        s.headSize());
                LayerKv sharerAll = new LayerKv(FloatBuffer.wrap(sharerKeys[sl]), FloatBuffer.wrap(sharerValues[sl]),
                        sg.kvHeads(), sharerTokens, sg.headSize());
                LayerKv result = f.runner().fuse(layer, own, KvGather.gather(sharerAll, positions));
                result.key().get(0, fused, 2 * i * block, block);
                result.value().get(0, fused, (2 * i + 1) * block, block);
            }
            return fused;
        }

        @Override
        public int pending() {
            return waiting.size();
        }

        @Override
        public long bytesHeld() {
            long sharer = 0;
            for (int l : sharerLayers) {
                sharer += 2L * sharerKeys[l].length * Float.BYTES;
            }
            return pendingBytes + sharer;
        }

        @Override
        public void close() {
            waiting.clear();
            pendingBytes = 0;
        }
    }

    @Override
    public void close() {
        for (Loaded f : fusers.values()) {
            f.runner().close();
            f.receiverTokenizer().close();
            f.sharerTokenizer().close();
        }
    }
}
