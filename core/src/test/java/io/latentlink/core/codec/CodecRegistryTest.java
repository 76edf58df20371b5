package io.latentlink.core.codec;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CodecRegistryTest {

    private final CodecRegistry registry = CodecRegistry.standard();

    @Test
    void listsTheBuiltInCodecs() {
        assertEquals(List.of("fp16", "fp32", "int8", "int8z"), List.copyOf(registry.ids()));
        assertTrue(registry.contains("int8"));
        assertFalse(registry.contains("int4"));
        for (String id : registry.ids()) {
            assertEquals(id, registry.get(id).id());
        }
    }

    @Test
    void unknownIdsFailWithTheKnownOnesListed() {
        UnknownCodecException e = assertThrows(UnknownCodecException.class, () -> registry.get("zstd"));
        assertEquals("zstd", e.id());
        assertTrue(e.getMessage().contains("fp16, fp32, int8"), e.getMessage());
        assertThrows(UnknownCodecException.class, () -> registry.get(CodecSpec.of("int4")));
    }

    @Test
    void aCodecsSpecRebuildsTheSameCodec() {
        for (String id : registry.ids()) {
            KvCodec codec = registry.get(id);
            assertEquals(codec.spec(), registry.get(codec.spec()).spec());
        }
        KvCodec perChannel = registry.get(new CodecSpec("int8", Map.of("scales", "per_channel")));
        assertEquals("per_channel", perChannel.spec().param("scales", "?"));
        assertEquals(perChannel.spec(), registry.get(perChannel.spec()).spec());
        assertSame(registry.get("fp16"), registry.get(CodecSpec.of("fp16")));
    }

    @Test
    void int8DefaultsToPerTokenFp16Scales() {
        assertEquals(new CodecSpec("int8", Map.of("scales", "per_token", "scale_type", "fp16")),
                registry.get("int8").spec());
        assertEquals("int8{scale_type=fp16, scales=per_token}", registry.get("int8").spec().toString());
        assertEquals(registry.get("int8").spec(), registry.get(CodecSpec.of("int8", "scales", "per_token")).spec(),
                "a header naming only some parameters gets the defaults for the rest");
    }

    @Test
    void int8zIsInt8WithALevel() {
        assertEquals(new CodecSpec("int8z", Map.of("scales", "per_token", "scale_type", "fp16", "level", "1")),
                registry.get("int8z").spec());
        assertEquals("19", registry.get(CodecSpec.of("int8z", "level", "19")).spec().param("level", "?"));
        for (String bad : new String[] {"0", "20", "-1", "fast", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> registry.get(CodecSpec.of("int8z", "level", bad)));
            assertTrue(e.getMessage().contains("level"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> registry.get(CodecSpec.of("int8", "level", "3")));
        assertThrows(IllegalArgumentException.class, () -> registry.get(CodecSpec.of("int8z", "scale_type", "bf16")));
        assertFalse(registry.get("int8z").fixedSize());
        assertTrue(registry.get("int8").fixedSize());
    }

    @Test
    void unknownParametersAndValuesAreRejected() {
        IllegalArgumentException key = assertThrows(IllegalArgumentException.class,
                () -> registry.get(CodecSpec.of("int8", "scale", "per_token")));
        assertTrue(key.getMessage().contains("'scale'"), key.getMessage());
        IllegalArgumentException value = assertThrows(IllegalArgumentException.class,
                () -> registry.get(CodecSpec.of("int8", "scales", "per_block")));
        assertTrue(value.getMessage().contains("per_block"), value.getMessage());
        assertThrows(IllegalArgumentException.class, () -> registry.get(CodecSpec.of("fp16", "x", "1")));
    }

    @Test
    void specsValidateTheirNames() {
        assertThrows(IllegalArgumentException.class, () -> CodecSpec.of("Int8"));
        assertThrows(IllegalArgumentException.class, () -> CodecSpec.of(""));
        assertThrows(IllegalArgumentException.class, () -> CodecSpec.of("int8", "bad key", "v"));
        assertThrows(NullPointerException.class, () -> CodecSpec.of(null));
    }

    @Test
    void newCodecsPlugInBesideTheBuiltIns() {
        KvCodec zeros = new KvCodec() {
            @Override public CodecSpec spec() { return CodecSpec.of("zeros"); }
            @Override public boolean lossless() { return false; }
            @Override public int encodedSize(KvBlockShape shape) { return 0; }
            @Override public int encode(FloatBuffer src, KvBlockShape shape, int headStride, ByteBuffer dst) { return 0; }
            @Override public void decode(ByteBuffer src, KvBlockShape shape, FloatBuffer dst, int headStride) { }
        };
        CodecRegistry extended = registry.toBuilder().register("zeros", params -> zeros).build();
        assertEquals(List.of("fp16", "fp32", "int8", "int8z", "zeros"), List.copyOf(extended.ids()));
        assertSame(zeros, extended.get("zeros"));
        assertFalse(registry.contains("zeros"), "the standard registry is immutable");
        IllegalStateException mismatch = assertThrows(IllegalStateException.class,
                () -> CodecRegistry.builder().register("other", params -> zeros).build());
        assertTrue(mismatch.getMessage().contains("other"), mismatch.getMessage());
    }
}
