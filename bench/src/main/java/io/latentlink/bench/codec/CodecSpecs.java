package io.latentlink.bench.codec;

import io.latentlink.core.codec.CodecSpec;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Codec specs as benchmark parameters: {@code id} or {@code id:key=value+key=value} (JMH params cannot hold maps, and
 * JMH splits parameter lists at commas).
 */
public final class CodecSpecs {
    private CodecSpecs() {
    }

    public static CodecSpec parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            return CodecSpec.of(text);
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (String kv : text.substring(colon + 1).split("\\+")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("codec parameter '" + kv + "' in '" + text + "' is not key=value");
            }
            params.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return new CodecSpec(text.substring(0, colon), params);
    }

    /** The parameter form of a spec, its parameters sorted. */
    public static String format(CodecSpec spec) {
        if (spec.params().isEmpty()) {
            return spec.id();
        }
        StringBuilder sb = new StringBuilder(spec.id()).append(':');
        new java.util.TreeMap<>(spec.params()).forEach((k, v) -> sb.append(k).append('=').append(v).append('+'));
        return sb.substring(0, sb.length() - 1);
    }
}
