package io.latentlink.core.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelManifestTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The onnxruntime-genai model builder's output for a Llama-style model (Qwen2.5-0.5B shape), verbatim keys. */
    static final String BUILDER_CONFIG = """
            {"model": {"bos_token_id": 151643, "context_length": 32768,
              "decoder": {"session_options": {"log_id": "onnxruntime-genai", "provider_options": [{"cuda": {}}],
                          "intra_op_num_threads": 2},
                "filename": "model.onnx", "head_size": 64, "hidden_size": 896,
                "inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask", "position_ids": "position_ids",
                           "past_key_names": "past_key_values.%d.key", "past_value_names": "past_key_values.%d.value"},
                "outputs": {"logits": "logits", "present_key_names": "present.%d.key",
                            "present_value_names": "present.%d.value"},
                "num_attention_heads": 14, "num_hidden_layers": 24, "num_key_value_heads": 2},
              "eos_token_id": [151645, 151643], "pad_token_id": 151643, "type": "qwen2", "vocab_size": 151936},
             "search": {"diversity_penalty": 0.0, "do_sample": true, "early_stopping": true, "length_penalty": 1.0,
              "max_length": 32768, "min_length": 0, "no_repeat_ngram_size": 0, "num_beams": 1,
              "num_return_sequences": 1, "past_present_share_buffer": true, "repetition_penalty": 1.1,
              "temperature": 0.7, "top_k": 20, "top_p": 0.8}}
            """;

    @Test
    void readsTheModelBuildersConfigUnchanged() {
        ModelManifest m = ModelManifest.parse(BUILDER_CONFIG, Path.of("/models/qwen"));
        assertEquals("qwen2", m.type());
        assertEquals(151936, m.vocabSize());
        assertEquals(32768, m.contextLength());
        assertEquals(List.of(151645, 151643), m.eosTokenIds());
        assertEquals(151643, m.bosTokenId().getAsInt());
        ModelManifest.Decoder d = m.decoder();
        assertEquals(896, d.hiddenSize());
        assertEquals(64, d.headSize());
        assertEquals(14, d.numAttentionHeads());
        assertEquals(2, d.numKeyValueHeads());
        assertEquals(24, d.numHiddenLayers());
        assertEquals("past_key_values.23.value", d.inputs().pastValueName(23));
        assertEquals("present.0.key", d.outputs().presentKeyName(0));
        assertEquals("attention_mask", d.inputs().attentionMask().orElseThrow());
        assertEquals(2, d.sessionOptions().intraOpNumThreads().getAsInt());
        assertEquals(List.of("cuda"), d.sessionOptions().providers());
        assertTrue(m.search().doSample());
        assertEquals(20, m.search().topK());
        assertEquals(Path.of("/models/qwen/model.onnx"), m.modelFile());
        assertEquals(new io.latentlink.core.tensor.KvLayout(24, 2, 64), m.kvLayout());
        assertEquals(64, m.configSha256().length());
    }

    @Test
    void loadsTheFixtureFolderAndDerivesHeadSize() throws Exception {
        ModelManifest m = ModelManifest.load(TestModels.fixture("tiny-gqa"));
        assertEquals(4, m.decoder().headSize());
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(m.modelFile()))), m.modelFileSha256());
        ModelManifest derived = parse(c -> decoder(c).remove("head_size"));
        assertEquals(4, derived.decoder().headSize(), "head_size = hidden_size / num_attention_heads");
        ModelManifest noMask = parse(c -> inputs(c).remove(List.of("attention_mask", "position_ids")));
        assertTrue(noMask.decoder().inputs().attentionMask().isEmpty());
        assertTrue(noMask.decoder().inputs().positionIds().isEmpty());
        ModelManifest noSearch = parse(c -> c.remove("search"));
        assertEquals(64, noSearch.search().maxLength());
        assertFalse(noSearch.search().doSample());
    }

    @Test
    void unknownKeysAreRejectedAtEveryLevel() {
        assertField("bogus", "unknown field", c -> c.put("bogus", 1));
        assertField("model.hiden_size", "unknown field", c -> model(c).put("hiden_size", 1));
        assertField("model.decoder.heads", "unknown field", c -> decoder(c).put("heads", 4));
        assertField("model.decoder.inputs.token_ids", "unknown field", c -> inputs(c).put("token_ids", "x"));
        assertField("model.decoder.outputs.hidden", "unknown field", c -> outputs(c).put("hidden", "x"));
        assertField("search.beam_width", "unknown field", c -> ((ObjectNode) c.get("search")).put("beam_width", 2));
    }

    @Test
    void knownButUnsupportedGenaiFieldsSayWhy() {
        assertField("model.encoder", "does not support", c -> model(c).putObject("encoder"));
        assertField("model.decoder.sliding_window", "sliding-window", c -> decoder(c).putObject("sliding_window"));
        assertField("model.decoder.inputs.past_names", "does not support", c -> inputs(c).put("past_names", "p%d"));
        assertField("model.decoder.outputs.present_key_scale_names", "does not support",
                c -> outputs(c).put("present_key_scale_names", "s%d"));
        assertField("model.decoder.layer_types[1]", "not supported",
                c -> decoder(c).putArray("layer_types").add("full_attention").add("sliding_attention"));
        assertField("search.num_beams", "beam search", c -> ((ObjectNode) c.get("search")).put("num_beams", 4));
    }

    @Test
    void inconsistentDimensionsNameTheField() {
        assertField("model.decoder.hidden_size", "num_attention_heads (4) * head_size (4)",
                c -> decoder(c).put("hidden_size", 20));
        assertField("model.decoder.num_key_value_heads", "must divide num_attention_heads",
                c -> decoder(c).put("num_key_value_heads", 3));
        assertField("model.decoder.head_size", "not a multiple",
                c -> decoder(c).put("hidden_size", 18).remove("head_size"));
        assertField("model.decoder.num_hidden_layers", "must be > 0", c -> decoder(c).put("num_hidden_layers", 0));
        assertField("model.decoder.layer_types", "lists 1 layers",
                c -> decoder(c).putArray("layer_types").add("full_attention"));
    }

    @Test
    void templatesNeedExactlyOneLayerPlaceholder() {
        assertField("model.decoder.inputs.past_key_names", "exactly one %d",
                c -> inputs(c).put("past_key_names", "past_key_values.key"));
        assertField("model.decoder.outputs.present_value_names", "exactly one %d",
                c -> outputs(c).put("present_value_names", "present.%d.%d"));
        assertField("model.decoder.inputs.past_value_names", "must differ",
                c -> inputs(c).put("past_value_names", "past_key_values.%d.key"));
    }

    @Test
    void badValuesAndMissingFieldsNameTheField() {
        assertField("model.vocab_size", "is required", c -> model(c).remove("vocab_size"));
        assertField("model.decoder", "is required", c -> model(c).remove("decoder"));
        assertField("model.decoder.filename", "inside the model folder",
                c -> decoder(c).put("filename", "../other/model.onnx"));
        assertField("model.context_length", "must be an integer", c -> model(c).put("context_length", 1.5));
        assertField("model.type", "must be a string", c -> model(c).put("type", 3));
        assertField("model.eos_token_id", "outside the vocabulary", c -> model(c).put("eos_token_id", 48));
        assertField("model.eos_token_id[1]", "must be an integer",
                c -> model(c).putArray("eos_token_id").add(2).add("two"));
        assertField("search.top_p", "(0, 1]", c -> ((ObjectNode) c.get("search")).put("top_p", 1.5));
        assertField("search.temperature", "> 0", c -> ((ObjectNode) c.get("search")).put("temperature", 0));
        assertField("search.max_length", "context_length", c -> ((ObjectNode) c.get("search")).put("max_length", 65));
        assertField("model.decoder.session_options.graph_optimization_level", "unknown level",
                c -> ((ObjectNode) decoder(c).get("session_options")).put("graph_optimization_level", "FAST"));
        ManifestException e = assertThrows(ManifestException.class,
                () -> ModelManifest.parse("{\"model\": ", Path.of(".")));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    }

    @Test
    void loadReportsMissingFiles(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        ManifestException e = assertThrows(ManifestException.class, () -> ModelManifest.load(dir));
        assertEquals("genai_config.json", e.field());
        Files.copy(TestModels.fixture("tiny-gqa").resolve("genai_config.json"), dir.resolve("genai_config.json"));
        e = assertThrows(ManifestException.class, () -> ModelManifest.load(dir));
        assertEquals("model.decoder.filename", e.field());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    // ------------------------------------------------------------------------------------------------ helpers

    static ObjectNode fixtureConfig() {
        try {
            return (ObjectNode) JSON.readTree(TestModels.fixture("tiny-gqa").resolve("genai_config.json").toFile());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static ObjectNode model(ObjectNode c) {
        return (ObjectNode) c.get("model");
    }

    static ObjectNode decoder(ObjectNode c) {
        return (ObjectNode) model(c).get("decoder");
    }

    static ObjectNode inputs(ObjectNode c) {
        return (ObjectNode) decoder(c).get("inputs");
    }

    static ObjectNode outputs(ObjectNode c) {
        return (ObjectNode) decoder(c).get("outputs");
    }

    private static ModelManifest parse(Consumer<ObjectNode> edit) {
        ObjectNode c = fixtureConfig();
        edit.accept(c);
        return ModelManifest.parse(c.toString(), Path.of("."));
    }

    private static void assertField(String field, String messagePart, Consumer<ObjectNode> edit) {
        ManifestException e = assertThrows(ManifestException.class, () -> parse(edit), field);
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), "'" + e.getMessage() + "' should mention '" + messagePart + "'");
    }

}
