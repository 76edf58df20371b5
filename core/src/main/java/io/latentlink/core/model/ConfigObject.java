package io.latentlink.core.model;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * One JSON object of a config being read, with its dotted path, so that every error names its field, and with
 * the keys read so far, so that {@link #finish} can reject the ones nobody asked for.
 */
final class ConfigObject {
    private final JsonNode node;
    private final String path;
    private final Set<String> read = new HashSet<>();

    ConfigObject(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw new ManifestException(path, "must be a JSON object");
        }
        this.node = node;
        this.path = path;
    }

    String path() {
        return path;
    }

    String field(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    boolean has(String key) {
        return node.has(key) && !node.get(key).isNull();
    }

    JsonNode raw(String key) {
        read.add(key);
        return node.get(key);
    }

    OptionalInt optInt(String key) {
        JsonNode v = raw(key);
        if (v == null || v.isNull()) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(asInt(v, field(key)));
    }

    int reqInt(String key) {
        return optInt(key).orElseThrow(() -> new ManifestException(field(key), "is required"));
    }

    static int asInt(JsonNode v, String field) {
        if (!v.isNumber() || !v.canConvertToExactIntegral() || !v.canConvertToInt()) {
            throw new ManifestException(field, "must be an integer, got " + v);
        }
        return v.asInt();
    }

    Optional<String> optString(String key) {
        JsonNode v = raw(key);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            throw new ManifestException(field(key), "must be a string, got " + v);
        }
        return Optional.of(v.asText());
    }

    String reqString(String key) {
        return optString(key).orElseThrow(() -> new ManifestException(field(key), "is required"));
    }

    Optional<Boolean> optBool(String key) {
        JsonNode v = raw(key);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isBoolean()) {
            throw new ManifestException(field(key), "must be true or false, got " + v);
        }
        return Optional.of(v.asBoolean());
    }

    Optional<Double> optDouble(String key) {
        JsonNode v = raw(key);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isNumber()) {
            throw new ManifestException(field(key), "must be a number, got " + v);
        }
        return Optional.of(v.asDouble());
    }

    Optional<ConfigObject> optObject(String key) {
        JsonNode v = raw(key);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        return Optional.of(new ConfigObject(v, field(key)));
    }

    ConfigObject reqObject(String key) {
        return optObject(key).orElseThrow(() -> new ManifestException(field(key), "is required"));
    }

    /** Every key not read yet, in document order. */
    List<String> unreadKeys() {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!read.contains(k)) {
                out.add(k);
            }
        }
        return out;
    }

    /**
     * Rejects the keys nobody read: a key onnxruntime-genai knows but this runtime cannot honour gets a message saying
     * why ({@code unsupported}); any other key is unknown. Keys in {@code ignored} are accepted as they are, because
     * they do not change what a batch-1 decoder computes.
     */
    void finish(Set<String> ignored, Map<String, String> unsupported) {
        for (String k : unreadKeys()) {
            if (ignored.contains(k)) {
                continue;
            }
            String why = unsupported.get(k);
            if (why != null) {
                throw new ManifestException(field(k), "is an onnxruntime-genai field that LatentLink does not support ("
                        + why + ")");
            }
            throw new ManifestException(field(k), "unknown field");
        }
    }
}
