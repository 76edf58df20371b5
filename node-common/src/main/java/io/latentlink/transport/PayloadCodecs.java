package io.latentlink.transport;

import io.latentlink.core.codec.CodecRegistry;
import io.latentlink.core.codec.CodecSpec;
import io.latentlink.core.wire.WireException;
import java.util.Map;
import java.util.Set;

/** The codecs the nodes speak: core's standard registry (fp32, fp16, int8, int8z), by the id and params a header carries. */
public final class PayloadCodecs {

    private static final CodecRegistry REGISTRY = CodecRegistry.standard();

    private PayloadCodecs() {
    }

    public static PayloadCodec lookup(String id, Map<String, String> params) {
        try {
            return new PayloadCodec(REGISTRY.get(new CodecSpec(id, params == null ? Map.of() : params)));
        } catch (IllegalArgumentException e) {
            // UnknownCodecException, parameters the codec refuses, or an id that is not even a valid name.
            throw new WireException(WireException.Kind.UNSUPPORTED_CODEC, e.getMessage());
        }
    }

    public static Set<String> ids() {
        return REGISTRY.ids();
    }
}
