package io.latentlink.core.codec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Finds KV codecs by id, or rebuilds one from the {@link CodecSpec} of a chunk header. Immutable and thread-safe.
 *
 * <p>{@link #standard()} knows:
 * <ul>
 *   <li>{@code fp32}: raw, lossless;</li>
 *   <li>{@code fp16}: IEEE half precision;</li>
 *   <li>{@code int8}: absmax int8, parameters {@code scales} = {@code per_token} (default) or {@code per_channel},
 *       {@code scale_type} = {@code fp16} (default) or {@code fp32};</li>
 *   <li>{@code int8z}: the same int8 payload through a bounded, lossless zstd stage; parameters as {@code int8}
 *       plus {@code level} (zstd level 1..19, default 1). Variable size: {@link KvCodec#fixedSize()} is false.</li>
 * </ul>
 * The package documentation has the measurements behind each default. Other codecs (lower-bit quantisers, other
 * entropy coders) plug in through {@link Builder#register}.
 */
public final class CodecRegistry {

    /** Builds a codec from its parameters; throws {@link IllegalArgumentException} for parameters it does not know. */
    @FunctionalInterface
    public interface Factory extends Function<Map<String, String>, KvCodec> {
    }

    private static final CodecRegistry STANDARD = builder()
            .register(Fp32Codec.ID, params -> {
                requireOnly(Fp32Codec.ID, params);
                return new Fp32Codec();
            })
            .register(Fp16Codec.ID, params -> {
                requireOnly(Fp16Codec.ID, params);
                return new Fp16Codec();
            })
            .register(Int8Codec.ID, params -> {
                requireOnly(Int8Codec.ID, params, Int8Codec.SCALES_PARAM, Int8Codec.SCALE_TYPE_PARAM);
                return int8(params);
            })
            .register(Int8ZstdCodec.ID, params -> {
                requireOnly(Int8ZstdCodec.ID, params, Int8Codec.SCALES_PARAM, Int8Codec.SCALE_TYPE_PARAM,
                        Int8ZstdCodec.LEVEL_PARAM);
                Map<String, String> int8Params = new TreeMap<>(params);
                String level = int8Params.remove(Int8ZstdCodec.LEVEL_PARAM);
                return new Int8ZstdCodec(int8(int8Params), Int8ZstdCodec.parseLevel(level));
            })
            .build();

    /** int8 with the defaults the package documentation's measurements chose: per-token scales stored as fp16. */
    private static Int8Codec int8(Map<String, String> params) {
        return new Int8Codec(
                Int8Codec.ScaleLayout.fromParam(params.getOrDefault(Int8Codec.SCALES_PARAM, "per_token")),
                Int8Codec.ScaleType.fromParam(params.getOrDefault(Int8Codec.SCALE_TYPE_PARAM, "fp16")));
    }

    private final Map<String, Factory> factories;
    private final Map<String, KvCodec> defaults;

    private CodecRegistry(Map<String, Factory> factories) {
        this.factories = Collections.unmodifiableMap(new TreeMap<>(factories));
        Map<String, KvCodec> built = new TreeMap<>();
        factories.forEach((id, factory) -> built.put(id, factory.apply(Map.of())));
        this.defaults = Collections.unmodifiableMap(built);
    }

    /** The built-in codecs: fp32, fp16, int8, int8z. */
    public static CodecRegistry standard() {
        return STANDARD;
    }

    /** An empty builder; start from {@link #toBuilder()} of {@link #standard()} to extend the built-ins. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this registry's codecs. */
    public Builder toBuilder() {
        Builder b = new Builder();
        factories.forEach(b::register);
        return b;
    }

    /** Known codec ids, sorted. */
    public Set<String> ids() {
        return Collections.unmodifiableSet(new TreeSet<>(factories.keySet()));
    }

    /** Whether {@code id} is known. */
    public boolean contains(String id) {
        return factories.containsKey(id);
    }

    /**
     * The codec with this id and its default parameters.
     *
     * @throws UnknownCodecException if no codec has this id
     */
    public KvCodec get(String id) {
        Objects.requireNonNull(id, "id");
        KvCodec codec = defaults.get(id);
        if (codec == null) {
            throw new UnknownCodecException(id, defaults.keySet());
        }
        return codec;
    }

    /**
     * The codec a chunk header describes.
     *
     * @throws UnknownCodecException    if no codec has the spec's id
     * @throws IllegalArgumentException if the codec does not accept the spec's parameters
     */
    public KvCodec get(CodecSpec spec) {
        Objects.requireNonNull(spec, "spec");
        Factory factory = factories.get(spec.id());
        if (factory == null) {
            throw new UnknownCodecException(spec.id(), factories.keySet());
        }
        return spec.params().isEmpty() ? defaults.get(spec.id()) : factory.apply(spec.params());
    }

    @Override
    public String toString() {
        return "CodecRegistry" + defaults.values();
    }

    /** Rejects parameters other than {@code allowed}, so a typo in a header or a config fails loudly. */
    public static void requireOnly(String id, Map<String, String> params, String... allowed) {
        outer:
        for (String key : params.keySet()) {
            for (String a : allowed) {
                if (a.equals(key)) {
                    continue outer;
                }
            }
            throw new IllegalArgumentException("codec '" + id + "' has no parameter '" + key + "'"
                    + (allowed.length == 0 ? "; it takes none" : "; it takes " + String.join(", ", allowed)));
        }
    }

    /** Collects codec factories; later registrations of an id replace earlier ones. */
    public static final class Builder {
        private final Map<String, Factory> factories = new LinkedHashMap<>();

        private Builder() {
        }

        /** Adds or replaces the factory for {@code id}, which must be a valid {@link CodecSpec} id. */
        public Builder register(String id, Factory factory) {
            CodecSpec.of(id);
            factories.put(id, Objects.requireNonNull(factory, "factory"));
            return this;
        }

        /**
         * Builds the registry, creating each codec once with default parameters.
         *
         * @throws IllegalStateException if a factory's default codec reports a different id
         */
        public CodecRegistry build() {
            factories.forEach((id, factory) -> {
                String made = factory.apply(Map.of()).id();
                if (!made.equals(id)) {
                    throw new IllegalStateException("factory registered as '" + id + "' builds codec '" + made + "'");
                }
            });
            return new CodecRegistry(factories);
        }
    }
}
