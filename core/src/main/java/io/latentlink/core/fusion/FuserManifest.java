package io.latentlink.core.fusion;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code fuser.json}: which receiver and sharer a fuser was trained for, its layer map, gates and token alignment.
 * The format is documented in docs/ARTIFACTS.md; unknown keys are rejected so that a typo cannot silently
 * change behaviour.
 */
public record FuserManifest(
        String format,
        ModelRef receiver,
        ModelRef sharer,
        @JsonProperty("layer_map") List<List<Integer>> layerMap,
        List<Integer> gates,
        Map<String, String> graphs,
        String alignment,
        @JsonProperty("fuse_prefix") String fusePrefix,
        Bos bos,
        JsonNode training) {

    public static final String FORMAT = "latentlink-fuser/1";
    public static final String FILE_NAME = "fuser.json";

    /** A model the fuser is bound to: its id and the sha256 of its model.onnx. */
    public record ModelRef(String id, String sha256) {
    }

    /**
     * How the models' BOS tokens line up: both sequences start with their BOS, and the receiver's BOS reads the sharer
     * position {@code alignedTo}. Optional; without it no BOS is assumed.
     */
    public record Bos(int receiver, int sharer, @JsonProperty("aligned_to") int alignedTo) {
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    public static FuserManifest read(Path folder) throws IOException {
        Path file = folder.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new FuserException("no " + FILE_NAME + " in fuser folder " + folder);
        }
        FuserManifest manifest;
        try {
            manifest = JSON.readValue(file.toFile(), FuserManifest.class);
        } catch (UnrecognizedPropertyException e) {
            throw new FuserException(file + ": unknown field '" + e.getPropertyName() + "'", e);
        } catch (JsonProcessingException e) {
            throw new FuserException(file + ": " + e.getOriginalMessage(), e);
        }
        manifest.validate(file);
        return manifest;
    }

    private void validate(Path file) {
        require(FORMAT.equals(format), file, "format", "must be '" + FORMAT + "', got '" + format + "'");
        require(receiver != null && receiver.id() != null && receiver.sha256() != null, file, "receiver", "needs id and sha256");
        require(sharer != null && sharer.id() != null && sharer.sha256() != null, file, "sharer", "needs id and sha256");
        require(gates != null && !gates.isEmpty(), file, "gates", "must list one gate per receiver layer");
        require(layerMap != null && layerMap.size() == gates.size(), file, "layer_map",
                "must have one [receiver, sharer] pair per receiver layer (" + gates.size() + ")");
        for (int l = 0; l < gates.size(); l++) {
            List<Integer> pair = layerMap.get(l);
            require(pair != null && pair.size() == 2 && pair.get(0) == l && pair.get(1) >= 0, file, "layer_map",
                    "entry " + l + " must be [" + l + ", sharerLayer], got " + pair);
            int gate = gates.get(l);
            require(gate == 0 || gate == 1, file, "gates", "gate of layer " + l + " must be 0 or 1, got " + gate);
            boolean hasGraph = graphs != null && graphs.containsKey(Integer.toString(l));
            require(hasGraph == (gate == 1), file, "graphs",
                    "layer " + l + (gate == 1 ? " has an open gate but no graph" : " has a closed gate but a graph"));
        }
        require(alignment != null && !alignment.isBlank(), file, "alignment", "is required");
        require("all_but_last".equals(fusePrefix), file, "fuse_prefix", "only 'all_but_last' is supported, got '" + fusePrefix + "'");
    }

    private static void require(boolean ok, Path file, String field, String message) {
        if (!ok) {
            throw new FuserException(file + ": field '" + field + "' " + message);
        }
    }

    public int receiverLayers() {
        return gates.size();
    }

    public boolean isOpen(int receiverLayer) {
        return gates.get(receiverLayer) == 1;
    }

    public int sharerLayer(int receiverLayer) {
        return layerMap.get(receiverLayer).get(1);
    }
}
