package io.latentlink.core.fusion;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Applies a C2C fuser: one ONNX graph per receiver layer whose gate is open.
 * <p>
 * Each graph works per token position, so any chunk of positions can be fused on its own; this is what lets the
 * projector fuse chunk k while chunk k+1 is still being computed upstream. Layers with a closed gate have no graph and
 * are never fused (nor need they be sent).
 */
public final class FuserRunner implements AutoCloseable {
    static final String RECEIVER_KEY = "receiver_key";
    static final String RECEIVER_VALUE = "receiver_value";
    static final String SHARER_KEY = "sharer_key";
    static final String SHARER_VALUE = "sharer_value";
    static final String FUSED_KEY = "fused_key";
    static final String FUSED_VALUE = "fused_value";

    private final Path folder;
    private final FuserManifest manifest;
    private final OrtEnvironment env;
    private final Map<Integer, LayerGraph> graphs;

    /** One layer's session with the head layout its inputs demand. */
    private record LayerGraph(OrtSession session, int receiverHeads, int receiverHeadDim, int sharerHeads, int sharerHeadDim) {
    }

    private FuserRunner(Path folder, FuserManifest manifest, OrtEnvironment env, Map<Integer, LayerGraph> graphs) {
        this.folder = folder;
        this.manifest = manifest;
        this.env = env;
        this.graphs = graphs;
    }

    public static FuserRunner load(Path folder) throws IOException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            return load(folder, options);
        }
    }

    public static FuserRunner load(Path folder, OrtSession.SessionOptions options) throws IOException {
        FuserManifest manifest = FuserManifest.read(folder);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<Integer, LayerGraph> graphs = new TreeMap<>();
        try {
            for (int layer = 0; layer < manifest.receiverLayers(); layer++) {
                if (!manifest.isOpen(layer)) {
                    continue;
                }
                Path graphFile = folder.resolve(manifest.graphs().get(Integer.toString(layer)));
                if (!Files.isRegularFile(graphFile)) {
                    throw new FuserException("fuser graph for layer " + layer + " is missing: " + graphFile);
                }
                OrtSession session = env.createSession(graphFile.toString(), options);
                graphs.put(layer, describe(layer, graphFile, session));
            }
        } catch (OrtException e) {
            graphs.values().forEach(g -> closeQuietly(g.session()));
            throw new FuserException("cannot load fuser graph in " + folder + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            graphs.values().forEach(g -> closeQuietly(g.session()));
            throw e;
        }
        return new FuserRunner(folder, manifest, env, graphs);
    }

    private static LayerGraph describe(int layer, Path file, OrtSession session) throws OrtException {
        Map<String, NodeInfo> in = session.getInputInfo();
        Map<String, NodeInfo> out = session.getOutputInfo();
        for (String name : new String[] {RECEIVER_KEY, RECEIVER_VALUE, SHARER_KEY, SHARER_VALUE}) {
            if (!in.containsKey(name)) {
                closeQuietly(session);
                throw new FuserException(file + ": graph input '" + name + "' is missing (has " + in.keySet() + ")");
            }
        }
        for (String name : new String[] {FUSED_KEY, FUSED_VALUE}) {
            if (!out.containsKey(name)) {
                closeQuietly(session);
                throw new FuserException(file + ": graph output '" + name + "' is missing (has " + out.keySet() + ")");
            }
        }
        long[] rx = ((TensorInfo) in.get(RECEIVER_KEY).getInfo()).getShape();
        long[] sx = ((TensorInfo) in.get(SHARER_KEY).getInfo()).getShape();
        if (rx.length != 4 || sx.length != 4 || rx[1] <= 0 || rx[3] <= 0 || sx[1] <= 0 || sx[3] <= 0) {
            closeQuietly(session);
            throw new FuserException(file + ": layer " + layer + " inputs must be [1, heads, T, headDim] with static heads and"
                    + " headDim, got receiver " + Arrays.toString(rx) + " sharer " + Arrays.toString(sx));
        }
        return new LayerGraph(session, (int) rx[1], (int) rx[3], (int) sx[1], (int) sx[3]);
    }

    public FuserManifest manifest() {
        return manifest;
    }

    public Path folder() {
        return folder;
    }

    /**
     * Refuses to fuse between models other than those the fuser was trained for: a fuser applied to another
     * checkpoint would produce plausible-looking garbage.
     */
    public void requireModels(String receiverId, String receiverSha256, String sharerId, String sharerSha256) {
        requireModel("receiver", manifest.receiver(), receiverId, receiverSha256);
        requireModel("sharer", manifest.sharer(), sharerId, sharerSha256);
    }

    private void requireModel(String role, FuserManifest.ModelRef expected, String id, String sha256) {
        if (!expected.id().equals(id)) {
            throw new FuserException("fuser " + folder + " was trained for " + role + " '" + expected.id() + "', not '" + id + "'");
        }
        if (!expected.sha256().equalsIgnoreCase(sha256)) {
            throw new FuserException("fuser " + folder + " was trained for " + role + " '" + id + "' with model.onnx sha256 "
                    + expected.sha256() + ", but the loaded model has " + sha256);
        }
    }

    /** Receiver layers that are fused, in order; the others keep the receiver's own KV. */
    public int[] fusedLayers() {
        return graphs.keySet().stream().mapToInt(Integer::intValue).toArray();
    }

    public boolean isFused(int receiverLayer) {
        return graphs.containsKey(receiverLayer);
    }

    public int sharerLayer(int receiverLayer) {
        return manifest.sharerLayer(receiverLayer);
    }

    /**
     * Fuses one receiver layer over a run of token positions.
     *
     * @param receiver the receiver's own K/V at these positions
     * @param sharer   the sharer's K/V already gathered at the aligned position of each receiver token
     * @return the fused K/V, same shape as {@code receiver}, in new direct buffers
     */
    public LayerKv fuse(int receiverLayer, LayerKv receiver, LayerKv sharer) {
        LayerGraph graph = graphs.get(receiverLayer);
        if (graph == null) {
            throw new FuserException("receiver layer " + receiverLayer + " is not fused (gate closed or out of range 0.."
                    + (manifest.receiverLayers() - 1) + ")");
        }
        if (receiver.heads() != graph.receiverHeads() || receiver.headDim() != graph.receiverHeadDim()) {
            throw new FuserException("layer " + receiverLayer + ": receiver KV is [" + receiver.heads() + " heads, "
                    + receiver.headDim() + " dims], fuser expects [" + graph.receiverHeads() + ", " + graph.receiverHeadDim() + "]");
        }
        if (sharer.heads() != graph.sharerHeads() || sharer.headDim() != graph.sharerHeadDim()) {
            throw new FuserException("layer " + receiverLayer + ": sharer KV is [" + sharer.heads() + " heads, "
                    + sharer.headDim() + " dims], fuser expects [" + graph.sharerHeads() + ", " + graph.sharerHeadDim() + "]");
        }
        if (receiver.tokens() != sharer.tokens()) {
            throw new FuserException("layer " + receiverLayer + ": " + receiver.tokens() + " receiver positions but "
                    + sharer.tokens() + " aligned sharer positions");
        }
        if (receiver.tokens() == 0) {
            return LayerKv.allocate(receiver.heads(), 0, receiver.headDim());
        }
        Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
        try {
            inputs.put(RECEIVER_KEY, OnnxTensor.createTensor(env, receiver.key().duplicate().rewind(), receiver.onnxShape()));
            inputs.put(RECEIVER_VALUE, OnnxTensor.createTensor(env, receiver.value().duplicate().rewind(), receiver.onnxShape()));
            inputs.put(SHARER_KEY, OnnxTensor.createTensor(env, sharer.key().duplicate().rewind(), sharer.onnxShape()));
            inputs.put(SHARER_VALUE, OnnxTensor.createTensor(env, sharer.value().duplicate().rewind(), sharer.onnxShape()));
            try (OrtSession.Result result = graph.session().run(inputs)) {
                LayerKv out = LayerKv.allocate(receiver.heads(), receiver.tokens(), receiver.headDim());
                out.key().put(0, ((OnnxTensor) result.get(FUSED_KEY).orElseThrow()).getFloatBuffer(), 0, out.key().limit());
                out.value().put(0, ((OnnxTensor) result.get(FUSED_VALUE).orElseThrow()).getFloatBuffer(), 0, out.value().limit());
                return out;
            }
        } catch (OrtException e) {
            throw new FuserException("fuser layer " + receiverLayer + " failed: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() {
        graphs.values().forEach(g -> closeQuietly(g.session()));
        graphs.clear();
    }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException ignored) {
            // Closing a session only frees native memory; there is nothing left to report to.
        }
    }
}
