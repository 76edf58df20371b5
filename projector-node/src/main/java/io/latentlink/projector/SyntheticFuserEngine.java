package io.latentlink.projector;

import io.latentlink.core.wire.KvGeometry;
import io.latentlink.core.wire.KvSliceShape;
import io.latentlink.core.wire.WireException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Stand-in fuser for transport tests ({@code latentlink.engine=synthetic}): last-aligned layer map, configurable
 * gates, identity token alignment (both synthetic tokenizers are byte-level), and fused = receiver + half the mean
 * of the sharer's key (or value) heads at the aligned position. It has the real engine's data dependencies (a
 * receiver chunk waits for the sharer positions it needs), which is what the transport must get right; it is not a
 * trained fuser.
 */
public final class SyntheticFuserEngine implements FuserEngine {

    private final String fuserId;
    private final KvGeometry receiver;
    private final KvGeometry sharer;
    private final boolean[] gates;

    public SyntheticFuserEngine(String fuserId, KvGeometry receiver, KvGeometry sharer, boolean[] gates) {
        if (gates.length != receiver.layers()) {
            throw new IllegalArgumentException("need one gate per receiver layer (" + receiver.layers() + ")");
        }
        this.fuserId = fuserId;
        this.receiver = receiver;
        this.sharer = sharer;
        this.gates = gates.clone();
    }

    @Override
    public Fusion open(String id, String receiverModelId, String receiverManifestHash, String prompt) {
        if (!fuserId.equals(id)) {
            throw new WireException(WireException.Kind.UNKNOWN_MODEL, "no fuser '" + id + "' (have " + fuserId + ")");
        }
        if (!receiver.modelId().equals(receiverModelId)) {
            throw new WireException(WireException.Kind.UNKNOWN_MODEL, "fuser " + fuserId + " fuses into '"
                    + receiver.modelId() + "', not '" + receiverModelId + "'");
        }
        int tokens = prompt.getBytes(java.nio.charset.StandardCharsets.UTF_8).length - 1;
        if (tokens < 1) {
            throw new IllegalArgumentException("prompt needs at least two tokens to fuse");
        }
        return new SyntheticFusion(tokens);
    }

    /** Receiver layer l reads sharer layer l + (sharerLayers - receiverLayers), clamped: last-aligned. */
    int mapLayer(int receiverLayer) {
        return Math.max(0, receiverLayer + sharer.layers() - receiver.layers());
    }

    private final class SyntheticFusion implements Fusion {
        private final int receiverTokens;
        private final List<Integer> fused = new ArrayList<>();
        private final List<Integer> sharerLayers;
        /** Per sharer layer: mean over heads and dims of key and value at each position, and how far it is known. */
        private final float[][] keyMean = new float[sharer.layers()][];
        private final float[][] valueMean = new float[sharer.layers()][];
        private final int[] known = new int[sharer.layers()];
        private int sharerTokens = -1;
        private final ArrayDeque<Fused> waiting = new ArrayDeque<>();
        private long pendingBytes;

        SyntheticFusion(int receiverTokens) {
            this.receiverTokens = receiverTokens;
            for (int l = 0; l < gates.length; l++) {
                if (gates[l]) {
                    fused.add(l);
                }
            }
            sharerLayers = fused.stream().map(SyntheticFuserEngine.this::mapLayer).distinct().sorted().toList();
            for (int l : sharerLayers) {
                keyMean[l] = new float[16];
                valueMean[l] = new float[16];
            }
        }

        @Override
        public KvGeometry receiver() {
            return receiver;
        }

        @Override
        public KvGeometry sharer() {
            return sharer;
        }

        @Override
        public List<Integer> fusedLayers() {
            return fused;
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
            int perHead = s.tokens() * s.headSize();
            int o = 0;
            for (int l = s.layerStart(); l < s.layerEnd(); l++) {
                if (keyMean[l] == null) {
                    throw new WireException(WireException.Kind.MALFORMED, "sharer sent unrequested layer " + l);
                }
                if (s.tokenStart() != known[l]) {
                    throw new WireException(WireException.Kind.MALFORMED, "sharer layer " + l + " jumped from "
                            + known[l] + " to " + s.tokenStart());
                }
                if (keyMean[l].length < s.tokenEnd()) {
                    int cap = Math.max(s.tokenEnd(), keyMean[l].length * 2);
                    keyMean[l] = Arrays.copyOf(keyMean[l], cap);
                    valueMean[l] = Arrays.copyOf(valueMean[l], cap);
                }
                for (float[] dst : new float[][] {keyMean[l], valueMean[l]}) {
                    for (int h = 0; h < s.kvHeads(); h++) {
                        for (int t = 0; t < s.tokens(); t++) {
                            float sum = 0;
                            for (int d = 0; d < s.headSize(); d++) {
                                sum += values[o + t * s.headSize() + d];
                            }
                            dst[s.tokenStart() + t] += sum / (s.kvHeads() * s.headSize());
                        }
                        o += perHead;
                    }
                }
                known[l] = s.tokenEnd();
            }
        }

        @Override
        public void sharerDone(int tokens) {
            for (int l : sharerLayers) {
                if (known[l] != tokens) {
                    throw new WireException(WireException.Kind.MALFORMED,
                            "sharer ended with layer " + l + " at " + known[l] + " of " + tokens + " tokens");
                }
            }
            sharerTokens = tokens;
        }

        @Override
        public void acceptReceiver(KvSliceShape s, float[] values) {
            for (int l = s.layerStart(); l < s.layerEnd(); l++) {
                if (!gates[l]) {
                    throw new WireException(WireException.Kind.MALFORMED, "receiver sent layer " + l
                            + " whose gate is closed");
                }
            }
            if (s.tokenEnd() > receiverTokens) {
                throw new WireException(WireException.Kind.MALFORMED, "receiver chunk reaches token "
                        + s.tokenEnd() + ", only " + receiverTokens + " are fused");
            }
            waiting.add(new Fused(s, values));
            pendingBytes += values.length * (long) Float.BYTES;
        }

        private int aligned(int receiverPos) {
            return sharerTokens < 0 ? receiverPos : Math.min(receiverPos, sharerTokens - 1);
        }

        private boolean ready(KvSliceShape s) {
            for (int l = s.layerStart(); l < s.layerEnd(); l++) {
                int sl = mapLayer(l);
                if (sharerTokens < 0 && known[sl] < s.tokenEnd()) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public List<Fused> poll() {
            List<Fused> out = new ArrayList<>();
            while (!waiting.isEmpty() && ready(waiting.peek().shape())) {
                Fused r = waiting.poll();
                pendingBytes -= r.values().length * (long) Float.BYTES;
                KvSliceShape s = r.shape();
                float[] f = r.values().clone();
                int o = 0;
                for (int l = s.layerStart(); l < s.layerEnd(); l++) {
                    int sl = mapLayer(l);
                    for (float[] mean : new float[][] {keyMean[sl], valueMean[sl]}) {
                        for (int h = 0; h < s.kvHeads(); h++) {
                            for (int t = 0; t < s.tokens(); t++) {
                                float add = 0.5f * mean[aligned(s.tokenStart() + t)];
                                for (int d = 0; d < s.headSize(); d++) {
                                    f[o++] += add;
                                }
                            }
                        }
                    }
                }
                out.add(new Fused(s, f));
            }
            return out;
        }

        @Override
        public int pending() {
            return waiting.size();
        }

        @Override
        public long bytesHeld() {
            long sharerBytes = 0;
            for (int l : sharerLayers) {
                sharerBytes += 2L * keyMean[l].length * Float.BYTES;
            }
            return pendingBytes + sharerBytes;
        }

        @Override
        public void close() {
            waiting.clear();
            pendingBytes = 0;
        }
    }
}
