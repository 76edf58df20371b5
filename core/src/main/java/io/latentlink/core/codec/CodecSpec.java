package io.latentlink.core.codec;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What a chunk header says about how its payload was encoded: a codec id and its parameters, both plain strings so
 * they map one-to-one onto a protobuf {@code string id} and {@code map<string, string> params}. Given the spec and
 * the block shape, {@link CodecRegistry#get(CodecSpec)} rebuilds a codec that decodes the payload.
 *
 * @param id     codec id, e.g. {@code "int8"}
 * @param params codec parameters, e.g. {@code {"scales": "per_token"}}; immutable
 */
public record CodecSpec(String id, Map<String, String> params) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,31}");

    public CodecSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(params, "params");
        if (!NAME.matcher(id).matches()) {
            throw new IllegalArgumentException("codec id '" + id + "' must match " + NAME.pattern());
        }
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (!NAME.matcher(e.getKey()).matches() || e.getValue() == null) {
                throw new IllegalArgumentException("invalid codec parameter '" + e.getKey() + "' = " + e.getValue());
            }
        }
        params = Map.copyOf(params);
    }

    /** A spec without parameters. */
    public static CodecSpec of(String id) {
        return new CodecSpec(id, Map.of());
    }

    /** A spec with one parameter. */
    public static CodecSpec of(String id, String key, String value) {
        return new CodecSpec(id, Map.of(key, value));
    }

    /** Value of a parameter, or {@code fallback} when absent. */
    public String param(String key, String fallback) {
        return params.getOrDefault(key, fallback);
    }

    /** Compact form for logs: {@code int8{scales=per_token}}. */
    @Override
    public String toString() {
        return params.isEmpty() ? id : id + new TreeMap<>(params);
    }
}
