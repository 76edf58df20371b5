package io.latentlink.core.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks an ONNX graph's declared inputs and outputs against a {@link ModelManifest}: names, element types, ranks,
 * the number of per-layer past/present tensors, and the static dims (kv heads, head size, vocab) where the graph fixes
 * them. Any mismatch is a {@link GraphMismatchException} naming the tensor.
 */
final class GraphContract {
    private GraphContract() {
    }

    static void check(ModelManifest m, Map<String, NodeInfo> inputs, Map<String, NodeInfo> outputs) {
        ModelManifest.Inputs in = m.decoder().inputs();
        ModelManifest.Outputs out = m.decoder().outputs();
        int layers = m.decoder().numHiddenLayers();
        int kvHeads = m.decoder().numKeyValueHeads();
        int headSize = m.decoder().headSize();

        Set<String> expectedInputs = new HashSet<>();
        expect(inputs, "input", in.inputIds(), OnnxJavaType.INT64, new long[] {-1, -1}, expectedInputs);
        in.attentionMask().ifPresent(n -> expect(inputs, "input", n, OnnxJavaType.INT64, new long[] {-1, -1},
                expectedInputs));
        in.positionIds().ifPresent(n -> expect(inputs, "input", n, OnnxJavaType.INT64, new long[] {-1, -1},
                expectedInputs));
        long[] kvShape = {-1, kvHeads, -1, headSize};
        for (int l = 0; l < layers; l++) {
            expect(inputs, "input", in.pastKeyName(l), OnnxJavaType.FLOAT, kvShape, expectedInputs);
            expect(inputs, "input", in.pastValueName(l), OnnxJavaType.FLOAT, kvShape, expectedInputs);
        }
        countLayers(inputs.keySet(), in.pastKeyNames(), layers, "model.decoder.inputs.past_key_names");
        countLayers(inputs.keySet(), in.pastValueNames(), layers, "model.decoder.inputs.past_value_names");
        for (String name : inputs.keySet()) {
            if (!expectedInputs.contains(name)) {
                throw new GraphMismatchException(name, "graph input '" + name + "' is not declared in "
                        + "model.decoder.inputs, so it would never be fed (declare it, e.g. attention_mask or "
                        + "position_ids, or export the graph without it)");
            }
        }

        Set<String> expectedOutputs = new HashSet<>();
        expect(outputs, "output", out.logits(), OnnxJavaType.FLOAT, new long[] {-1, -1, m.vocabSize()},
                expectedOutputs);
        for (int l = 0; l < layers; l++) {
            expect(outputs, "output", out.presentKeyName(l), OnnxJavaType.FLOAT, kvShape, expectedOutputs);
            expect(outputs, "output", out.presentValueName(l), OnnxJavaType.FLOAT, kvShape, expectedOutputs);
        }
        countLayers(outputs.keySet(), out.presentKeyNames(), layers, "model.decoder.outputs.present_key_names");
        countLayers(outputs.keySet(), out.presentValueNames(), layers, "model.decoder.outputs.present_value_names");
    }

    /** {@code expected} dims of -1 are free; others must match where the graph's dim is static (&gt;= 0). */
    private static void expect(Map<String, NodeInfo> infos, String kind, String name, OnnxJavaType type,
                               long[] expected, Set<String> seen) {
        NodeInfo info = infos.get(name);
        if (info == null) {
            throw new GraphMismatchException(name, "graph has no " + kind + " named '" + name + "' (graph " + kind
                    + "s: " + new java.util.TreeSet<>(infos.keySet()) + ")");
        }
        seen.add(name);
        if (!(info.getInfo() instanceof TensorInfo t)) {
            throw new GraphMismatchException(name, kind + " '" + name + "' is not a tensor");
        }
        if (t.type != type) {
            throw new GraphMismatchException(name, kind + " '" + name + "' has element type " + t.type + ", expected "
                    + type);
        }
        long[] shape = t.getShape();
        if (shape.length != expected.length) {
            throw new GraphMismatchException(name, kind + " '" + name + "' has rank " + shape.length + " "
                    + Arrays.toString(shape) + ", expected rank " + expected.length);
        }
        for (int i = 0; i < shape.length; i++) {
            if (expected[i] >= 0 && shape[i] >= 0 && shape[i] != expected[i]) {
                throw new GraphMismatchException(name, kind + " '" + name + "' has dim " + i + " = " + shape[i]
                        + " but the manifest implies " + expected[i] + " (" + dimMeaning(expected.length, i) + ")");
            }
        }
    }

    private static String dimMeaning(int rank, int i) {
        if (rank == 4) {
            return i == 1 ? "num_key_value_heads" : "head_size";
        }
        return "vocab_size";
    }

    /** The graph must have exactly {@code layers} tensors matching the template, numbered 0..layers-1. */
    private static void countLayers(Set<String> names, String template, int layers, String field) {
        int at = template.indexOf("%d");
        Pattern p = Pattern.compile(Pattern.quote(template.substring(0, at)) + "(\\d+)"
                + Pattern.quote(template.substring(at + 2)));
        long count = names.stream().filter(n -> p.matcher(n).matches()).count();
        if (count != layers) {
            throw new GraphMismatchException(field, "graph has " + count + " tensors matching '" + template
                    + "' but num_hidden_layers is " + layers);
        }
    }
}
