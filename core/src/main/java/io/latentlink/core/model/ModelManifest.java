package io.latentlink.core.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentlink.core.tensor.KvLayout;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A decoder model folder's {@code genai_config.json}, read with onnxruntime-genai's field names and I/O name templates.
 *
 * <p>Accepted: the fields onnxruntime-genai's model builder writes for a decoder-only LLM (so a config produced by the
 * Hugging Face / onnxruntime-genai tools loads unchanged). Fields that do not change what a batch-1 decoder computes
 * (e.g. {@code search.repetition_penalty}, {@code model.tokenizer_dir}, {@code engine}) are accepted and ignored.
 * onnxruntime-genai fields this runtime cannot honour (encoders, vision, pipelines, sliding windows, combined or
 * quantized KV, ...) are rejected with a message saying so, and any other key is rejected as unknown.
 *
 * <p>Checked: {@code hidden_size == num_attention_heads * head_size} when both are given ({@code head_size} is derived
 * otherwise), {@code num_key_value_heads} divides {@code num_attention_heads}, token ids lie inside the vocabulary,
 * every name template has exactly one {@code %d}, search defaults are in range. Every error is a
 * {@link ManifestException} naming the field. The graph itself is checked against the manifest when a
 * {@link DecoderSession} opens it.
 *
 * <p>One difference from onnxruntime-genai: {@code attention_mask} and {@code position_ids} are fed only when the
 * manifest names them, rather than when the graph happens to have an input of the default name; an undeclared graph
 * input is an error at load, so nothing is silently left unfed.
 *
 * @param directory    the model folder (relative file names resolve against it)
 * @param configSha256 hex SHA-256 of the {@code genai_config.json} bytes (identifies the manifest on the wire)
 * @param type         {@code model.type}, e.g. {@code llama}
 * @param bosTokenId   {@code model.bos_token_id}, if given
 * @param eosTokenIds  {@code model.eos_token_id} (a number or an array of numbers), at least one
 * @param padTokenId   {@code model.pad_token_id}, if given
 * @param contextLength {@code model.context_length}: the most tokens a sequence may hold
 * @param vocabSize    {@code model.vocab_size}
 * @param decoder      {@code model.decoder}
 * @param search       {@code search}: generation defaults
 */
public record ModelManifest(Path directory, String configSha256, String type, OptionalInt bosTokenId,
                            List<Integer> eosTokenIds, OptionalInt padTokenId, int contextLength, int vocabSize,
                            Decoder decoder, Search search) {

    /** The config file's name inside a model folder. */
    public static final String CONFIG_FILE = "genai_config.json";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    public ModelManifest {
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    /**
     * {@code model.decoder}.
     *
     * @param filename            the ONNX file, relative to the model folder
     * @param hiddenSize          model width
     * @param headSize            elements per attention head
     * @param numAttentionHeads   query heads
     * @param numKeyValueHeads    key/value heads (GQA when fewer than query heads)
     * @param numHiddenLayers     decoder layers, each with one past/present K and V
     * @param sessionOptions      {@code session_options} as given: thread counts, graph optimisation level and ORT
     *                            config entries (string values); execution providers in it are not applied, the
     *                            deployment picks them through {@link SessionConfig}
     * @param inputs              graph input names
     * @param outputs             graph output names
     */
    public record Decoder(String filename, int hiddenSize, int headSize, int numAttentionHeads, int numKeyValueHeads,
                          int numHiddenLayers, SessionOptions sessionOptions, Inputs inputs, Outputs outputs) {
    }

    /**
     * {@code model.decoder.session_options}.
     *
     * @param intraOpNumThreads       {@code intra_op_num_threads}, if given
     * @param interOpNumThreads       {@code inter_op_num_threads}, if given
     * @param graphOptimizationLevel  {@code graph_optimization_level} (ORT_DISABLE_ALL ... ORT_ENABLE_ALL), if given
     * @param configEntries           every other string-valued key, passed to ORT as session config entries
     * @param providers               provider names listed in {@code provider_options} (informational)
     */
    public record SessionOptions(OptionalInt intraOpNumThreads, OptionalInt interOpNumThreads,
                                 Optional<String> graphOptimizationLevel, Map<String, String> configEntries,
                                 List<String> providers) {
        public SessionOptions {
            configEntries = Map.copyOf(configEntries);
            providers = List.copyOf(providers);
        }
    }

    /**
     * {@code model.decoder.inputs}: graph input names; the per-layer ones are {@code %d} templates.
     *
     * @param inputIds       token ids, int64 [batch, sequence]
     * @param attentionMask  int64 [batch, past + sequence], if the graph takes one
     * @param positionIds    int64 [batch, sequence], if the graph takes them
     * @param pastKeyNames   template of the past keys, float32 [batch, kv_heads, past, head_size]
     * @param pastValueNames template of the past values
     */
    public record Inputs(String inputIds, Optional<String> attentionMask, Optional<String> positionIds,
                         String pastKeyNames, String pastValueNames) {
        public String pastKeyName(int layer) {
            return pastKeyNames.formatted(layer);
        }

        public String pastValueName(int layer) {
            return pastValueNames.formatted(layer);
        }
    }

    /**
     * {@code model.decoder.outputs}.
     *
     * @param logits            float32 [batch, sequence, vocab]
     * @param presentKeyNames   template of the present keys, float32 [batch, kv_heads, past + sequence, head_size]
     * @param presentValueNames template of the present values
     */
    public record Outputs(String logits, String presentKeyNames, String presentValueNames) {
        public String presentKeyName(int layer) {
            return presentKeyNames.formatted(layer);
        }

        public String presentValueName(int layer) {
            return presentValueNames.formatted(layer);
        }
    }

    /**
     * {@code search}: the model's generation defaults.
     *
     * @param maxLength   most tokens (prompt + generated), at most the context length
     * @param doSample    sample instead of greedy
     * @param temperature softmax temperature (&gt; 0)
     * @param topK        keep the k most likely tokens (0 = all)
     * @param topP        nucleus mass in (0, 1]
     * @param randomSeed  seed, if given
     */
    public record Search(int maxLength, boolean doSample, double temperature, int topK, double topP,
                         OptionalInt randomSeed) {
    }

    /** The ONNX file. */
    public Path modelFile() {
        return directory.resolve(decoder.filename());
    }

    /** The cache shape this model reads and writes. */
    public KvLayout kvLayout() {
        return new KvLayout(decoder.numHiddenLayers(), decoder.numKeyValueHeads(), decoder.headSize());
    }

    /** Hex SHA-256 of the ONNX file (what a fuser manifest records); reads the whole file. */
    public String modelFileSha256() {
        MessageDigest digest = sha256();
        try (InputStream in = Files.newInputStream(modelFile())) {
            byte[] buffer = new byte[1 << 16];
            for (int read; (read = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, read);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + modelFile(), e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * Reads {@code <modelDir>/genai_config.json} and checks that the ONNX file it names exists.
     *
     * @throws ManifestException    on a bad field or a missing model file
     * @throws UncheckedIOException if the config cannot be read
     */
    public static ModelManifest load(Path modelDir) {
        Path config = modelDir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(config)) {
            throw new ManifestException(CONFIG_FILE, "not found in model folder " + modelDir.toAbsolutePath());
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + config, e);
        }
        ModelManifest manifest = parse(bytes, modelDir);
        if (!Files.isRegularFile(manifest.modelFile())) {
            throw new ManifestException("model.decoder.filename", "file " + manifest.modelFile().toAbsolutePath()
                    + " does not exist");
        }
        return manifest;
    }

    /** Parses config JSON text; {@code modelDir} is where relative file names point. Does not touch the disk. */
    public static ModelManifest parse(String json, Path modelDir) {
        return parse(json.getBytes(StandardCharsets.UTF_8), modelDir);
    }

    private static ModelManifest parse(byte[] bytes, Path modelDir) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new ManifestException(CONFIG_FILE, "is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String sha = HexFormat.of().formatHex(sha256().digest(bytes));
        return new Reader(modelDir, sha).read(new ConfigObject(root, ""));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /** The field-by-field reading, kept apart from the record so the record stays a plain value. */
    private record Reader(Path dir, String sha) {
        private static final Pattern ONE_PLACEHOLDER = Pattern.compile("[^%]*%d[^%]*");

        // Fields onnxruntime-genai knows that would change what the model computes, and that this runtime lacks.
        private static final Map<String, String> MODEL_UNSUPPORTED = Map.ofEntries(
                Map.entry("encoder", "encoder-decoder models"), Map.entry("draft", "speculative draft models"),
                Map.entry("vision", "vision models"), Map.entry("embedding", "separate embedding models"),
                Map.entry("speech", "speech models"), Map.entry("joiner", "transducer models"),
                Map.entry("vad", "voice activity models"), Map.entry("mtp", "multi-token prediction heads"),
                Map.entry("dflash2", "block drafters"), Map.entry("dspark", "block drafters"),
                Map.entry("num_mels", "audio models"), Map.entry("fft_size", "audio models"),
                Map.entry("hop_length", "audio models"), Map.entry("win_length", "audio models"),
                Map.entry("preemph", "audio models"), Map.entry("log_eps", "audio models"),
                Map.entry("norm_eps", "audio models"), Map.entry("subsampling_factor", "audio models"),
                Map.entry("left_context", "audio models"), Map.entry("conv_context", "audio models"),
                Map.entry("pre_encode_cache_size", "audio models"), Map.entry("sample_rate", "audio models"),
                Map.entry("chunk_samples", "audio models"), Map.entry("blank_id", "audio models"),
                Map.entry("max_symbols_per_step", "audio models"), Map.entry("tdt_durations", "audio models"),
                Map.entry("left_context_samples", "audio models"), Map.entry("right_context_samples", "audio models"));
        private static final Set<String> MODEL_IGNORED = Set.of("tokenizer_dir", "decoder_start_token_id",
                "sep_token_id", "image_token_id", "audio_token_id", "boa_token_id", "video_token_id",
                "vision_start_token_id");
        private static final Map<String, String> DECODER_UNSUPPORTED = Map.of(
                "sliding_window", "sliding-window attention", "pipeline", "multi-graph pipelines",
                "shared_initializers", "shared initializers", "state_groups", "recurrent state groups",
                "state_update_capacity", "recurrent state updates", "conv_cache_size", "convolution caches",
                "ple_token_pad_id", "per-layer embeddings");
        private static final Set<String> DECODER_IGNORED = Set.of("run_options");
        private static final Set<String> SUPPORTED_INPUTS = Set.of("input_ids", "attention_mask", "position_ids",
                "past_key_names", "past_value_names");
        private static final Set<String> SUPPORTED_OUTPUTS = Set.of("logits", "present_key_names",
                "present_value_names");
        private static final Set<String> SEARCH_IGNORED = Set.of("min_length", "batch_size", "num_return_sequences",
                "repetition_penalty", "length_penalty", "no_repeat_ngram_size", "diversity_penalty", "early_stopping",
                "past_present_share_buffer", "chunk_size", "blank_penalty");
        // Runtime scheduling sections: they do not change the model's outputs.
        private static final Set<String> ROOT_IGNORED = Set.of("engine", "speculative");

        ModelManifest read(ConfigObject root) {
            ConfigObject model = root.reqObject("model");
            Optional<ConfigObject> searchObj = root.optObject("search");
            root.finish(ROOT_IGNORED, Map.of());

            String type = model.reqString("type");
            if (type.isBlank()) {
                throw new ManifestException(model.field("type"), "must not be empty");
            }
            int vocab = positive(model, "vocab_size", model.reqInt("vocab_size"));
            int context = positive(model, "context_length", model.reqInt("context_length"));
            OptionalInt bos = model.optInt("bos_token_id");
            OptionalInt pad = model.optInt("pad_token_id");
            List<Integer> eos = eosIds(model);
            checkToken(model, "bos_token_id", bos, vocab);
            checkToken(model, "pad_token_id", pad, vocab);
            for (int id : eos) {
                checkToken(model, "eos_token_id", OptionalInt.of(id), vocab);
            }
            Decoder decoder = decoder(model.reqObject("decoder"));
            model.finish(MODEL_IGNORED, MODEL_UNSUPPORTED);
            Search search = search(searchObj, context);
            return new ModelManifest(dir, sha, type, bos, eos, pad, context, vocab, decoder, search);
        }

        private static List<Integer> eosIds(ConfigObject model) {
            JsonNode v = model.raw("eos_token_id");
            String field = model.field("eos_token_id");
            if (v == null || v.isNull()) {
                throw new ManifestException(field, "is required");
            }
            List<Integer> ids = new ArrayList<>();
            if (v.isArray()) {
                for (int i = 0; i < v.size(); i++) {
                    ids.add(ConfigObject.asInt(v.get(i), field + "[" + i + "]"));
                }
                if (ids.isEmpty()) {
                    throw new ManifestException(field, "must list at least one id");
                }
            } else {
                ids.add(ConfigObject.asInt(v, field));
            }
            return ids;
        }

        private Decoder decoder(ConfigObject d) {
            String filename = d.reqString("filename");
            if (filename.isBlank() || Path.of(filename).isAbsolute() || Path.of(filename).normalize().startsWith("..")) {
                throw new ManifestException(d.field("filename"), "must be a file name inside the model folder, got '"
                        + filename + "'");
            }
            int layers = positive(d, "num_hidden_layers", d.reqInt("num_hidden_layers"));
            int heads = positive(d, "num_attention_heads", d.reqInt("num_attention_heads"));
            OptionalInt hiddenOpt = d.optInt("hidden_size");
            OptionalInt headSizeOpt = d.optInt("head_size");
            if (hiddenOpt.isPresent()) {
                positive(d, "hidden_size", hiddenOpt.getAsInt());
            }
            if (headSizeOpt.isPresent()) {
                positive(d, "head_size", headSizeOpt.getAsInt());
            }
            int headSize;
            int hidden;
            if (headSizeOpt.isPresent()) {
                headSize = headSizeOpt.getAsInt();
                hidden = hiddenOpt.orElse(heads * headSize);
                if (hidden != heads * headSize) {
                    throw new ManifestException(d.field("hidden_size"), "is " + hidden + " but num_attention_heads ("
                            + heads + ") * head_size (" + headSize + ") is " + heads * headSize);
                }
            } else if (hiddenOpt.isPresent()) {
                hidden = hiddenOpt.getAsInt();
                if (hidden % heads != 0) {
                    throw new ManifestException(d.field("head_size"), "is missing and hidden_size (" + hidden
                            + ") is not a multiple of num_attention_heads (" + heads + ")");
                }
                headSize = hidden / heads;
            } else {
                throw new ManifestException(d.field("head_size"), "is required (or hidden_size to derive it)");
            }
            int kvHeads = positive(d, "num_key_value_heads", d.optInt("num_key_value_heads").orElse(heads));
            if (heads % kvHeads != 0) {
                throw new ManifestException(d.field("num_key_value_heads"), "(" + kvHeads
                        + ") must divide num_attention_heads (" + heads + ")");
            }
            SessionOptions sessionOptions = d.optObject("session_options").map(Reader::sessionOptions)
                    .orElse(new SessionOptions(OptionalInt.empty(), OptionalInt.empty(), Optional.empty(), Map.of(),
                            List.of()));
            Inputs inputs = inputs(d.reqObject("inputs"));
            Outputs outputs = outputs(d.optObject("outputs"), d.field("outputs"));
            List<String> layerTypes = layerTypes(d);
            if (!layerTypes.isEmpty() && layerTypes.size() != layers) {
                throw new ManifestException(d.field("layer_types"), "lists " + layerTypes.size()
                        + " layers but num_hidden_layers is " + layers);
            }
            d.finish(DECODER_IGNORED, DECODER_UNSUPPORTED);
            return new Decoder(filename, hidden, headSize, heads, kvHeads, layers, sessionOptions, inputs, outputs);
        }

        /** Accepted only when every layer is plain full attention, which is what this runtime runs. */
        private static List<String> layerTypes(ConfigObject d) {
            JsonNode v = d.raw("layer_types");
            if (v == null || v.isNull()) {
                return List.of();
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; v.isArray() && i < v.size(); i++) {
                String t = v.get(i).asText();
                if (!"full_attention".equals(t)) {
                    throw new ManifestException(d.field("layer_types") + "[" + i + "]", "'" + t
                            + "' layers are not supported (only full_attention)");
                }
                out.add(t);
            }
            if (!v.isArray()) {
                throw new ManifestException(d.field("layer_types"), "must be an array");
            }
            return out;
        }

        private static SessionOptions sessionOptions(ConfigObject s) {
            OptionalInt intra = s.optInt("intra_op_num_threads");
            OptionalInt inter = s.optInt("inter_op_num_threads");
            for (String k : List.of("intra_op_num_threads", "inter_op_num_threads")) {
                OptionalInt v = k.startsWith("intra") ? intra : inter;
                if (v.isPresent() && v.getAsInt() < 0) {
                    throw new ManifestException(s.field(k), "must be >= 0, got " + v.getAsInt());
                }
            }
            Optional<String> level = s.optString("graph_optimization_level");
            level.ifPresent(l -> {
                if (!Set.of("ORT_DISABLE_ALL", "ORT_ENABLE_BASIC", "ORT_ENABLE_EXTENDED", "ORT_ENABLE_ALL").contains(l)) {
                    throw new ManifestException(s.field("graph_optimization_level"), "unknown level '" + l + "'");
                }
            });
            // Read for validation only: logging and memory-arena choices belong to the deployment.
            s.optString("log_id");
            s.optInt("log_severity_level");
            s.optInt("log_verbosity_level");
            s.optBool("enable_cpu_mem_arena");
            s.optBool("enable_mem_pattern");
            s.optString("enable_profiling");
            List<String> providers = providers(s);
            if (s.has("custom_ops_library")) {
                throw new ManifestException(s.field("custom_ops_library"),
                        "is an onnxruntime-genai field that LatentLink does not support (custom operator libraries)");
            }
            Map<String, String> entries = new LinkedHashMap<>();
            for (String k : s.unreadKeys()) {
                // onnxruntime-genai passes any other key to ORT as a session config entry; so do we.
                JsonNode v = s.raw(k);
                if (!v.isTextual()) {
                    throw new ManifestException(s.field(k), "session config entries must be strings, got " + v);
                }
                entries.put(k, v.asText());
            }
            return new SessionOptions(intra, inter, level, entries, providers);
        }

        private static List<String> providers(ConfigObject s) {
            JsonNode v = s.raw("provider_options");
            List<String> names = new ArrayList<>();
            if (v == null || v.isNull()) {
                return names;
            }
            String field = s.field("provider_options");
            if (!v.isArray()) {
                throw new ManifestException(field, "must be an array of {provider: {options}} objects");
            }
            for (int i = 0; i < v.size(); i++) {
                JsonNode entry = v.get(i);
                if (!entry.isObject()) {
                    throw new ManifestException(field + "[" + i + "]", "must be an object");
                }
                entry.fieldNames().forEachRemaining(names::add);
            }
            return names;
        }

        private static Inputs inputs(ConfigObject in) {
            String ids = name(in, "input_ids", "input_ids");
            Optional<String> mask = in.optString("attention_mask");
            Optional<String> positions = in.optString("position_ids");
            mask.ifPresent(m -> nonBlank(in, "attention_mask", m));
            positions.ifPresent(p -> nonBlank(in, "position_ids", p));
            String pastK = template(in, "past_key_names", "past_key_values.%d.key");
            String pastV = template(in, "past_value_names", "past_key_values.%d.value");
            if (pastK.equals(pastV)) {
                throw new ManifestException(in.field("past_value_names"), "must differ from past_key_names");
            }
            in.finish(Set.of(), unsupportedExcept(in, SUPPORTED_INPUTS));
            return new Inputs(ids, mask, positions, pastK, pastV);
        }

        private static Outputs outputs(Optional<ConfigObject> maybeOut, String field) {
            if (maybeOut.isEmpty()) {
                throw new ManifestException(field, "is required");
            }
            ConfigObject out = maybeOut.get();
            String logits = name(out, "logits", "logits");
            String presentK = template(out, "present_key_names", "present.%d.key");
            String presentV = template(out, "present_value_names", "present.%d.value");
            if (presentK.equals(presentV)) {
                throw new ManifestException(out.field("present_value_names"), "must differ from present_key_names");
            }
            out.finish(Set.of(), unsupportedExcept(out, SUPPORTED_OUTPUTS));
            return new Outputs(logits, presentK, presentV);
        }

        /** Every other key of an inputs/outputs block is a graph binding onnxruntime-genai knows and we do not feed. */
        private static Map<String, String> unsupportedExcept(ConfigObject o, Set<String> supported) {
            Map<String, String> m = new LinkedHashMap<>();
            for (String k : o.unreadKeys()) {
                if (!supported.contains(k) && KNOWN_BINDINGS.contains(k)) {
                    m.put(k, "the graph would need a '" + k + "' binding");
                }
            }
            return m;
        }

        private static final Set<String> KNOWN_BINDINGS = Set.of("inputs_embeds", "past_key_scale_names",
                "past_value_scale_names", "past_names", "cross_past_key_names", "cross_past_value_names",
                "past_sequence_length", "current_sequence_length", "total_sequence_length", "encoder_hidden_states",
                "encoder_attention_mask", "rnn_states_prev", "past_key_values_length", "cache_indirection",
                "cumulative_sequence_lengths", "past_sequence_lengths", "block_table", "block_table_windowed",
                "attention_metadata", "past_conv_names", "past_recurrent_names", "past_ple_token_names",
                "past_ple_conv_names", "past_indexer_names", "state_update_capture_count", "state_update_active",
                "hidden_states", "targets", "lstm_hidden_state", "lstm_cell_state", "per_layer_inputs",
                "targets_length", "present_key_scale_names", "present_value_scale_names", "present_names",
                "output_cross_qk_names", "rnn_states", "present_conv_names", "present_recurrent_names",
                "present_ple_token_names", "present_ple_conv_names", "present_indexer_names",
                "state_update_conv_value_names", "state_update_recurrent_capsule_names", "aux_hidden_states",
                "outputs", "outputs_length");

        private static String name(ConfigObject o, String key, String dflt) {
            return nonBlank(o, key, o.optString(key).orElse(dflt));
        }

        private static String nonBlank(ConfigObject o, String key, String v) {
            if (v.isBlank()) {
                throw new ManifestException(o.field(key), "must not be empty");
            }
            return v;
        }

        private static String template(ConfigObject o, String key, String dflt) {
            String t = name(o, key, dflt);
            if (!ONE_PLACEHOLDER.matcher(t).matches()) {
                throw new ManifestException(o.field(key), "must contain exactly one %d (the layer index) and no other "
                        + "%, got '" + t + "'");
            }
            return t;
        }

        private static Search search(Optional<ConfigObject> maybe, int context) {
            if (maybe.isEmpty()) {
                return new Search(context, false, 1.0, 0, 1.0, OptionalInt.empty());
            }
            ConfigObject s = maybe.get();
            int maxLength = s.optInt("max_length").orElse(context);
            if (maxLength <= 0 || maxLength > context) {
                throw new ManifestException(s.field("max_length"), "must be in [1, context_length = " + context
                        + "], got " + maxLength);
            }
            boolean doSample = s.optBool("do_sample").orElse(false);
            int beams = s.optInt("num_beams").orElse(1);
            if (beams != 1) {
                throw new ManifestException(s.field("num_beams"), "must be 1: beam search is not supported, got " + beams);
            }
            double temperature = s.optDouble("temperature").orElse(1.0);
            if (!(temperature > 0) || Double.isInfinite(temperature)) {
                throw new ManifestException(s.field("temperature"), "must be > 0, got " + temperature);
            }
            int topK = s.optInt("top_k").orElse(0);
            if (topK < 0) {
                throw new ManifestException(s.field("top_k"), "must be >= 0, got " + topK);
            }
            double topP = s.optDouble("top_p").orElse(1.0);
            if (!(topP > 0 && topP <= 1)) {
                throw new ManifestException(s.field("top_p"), "must be in (0, 1], got " + topP);
            }
            OptionalInt seed = s.optInt("random_seed");
            s.finish(SEARCH_IGNORED, Map.of());
            return new Search(maxLength, doSample, temperature, topK, topP, seed);
        }

        private static int positive(ConfigObject o, String key, int v) {
            if (v <= 0) {
                throw new ManifestException(o.field(key), "must be > 0, got " + v);
            }
            return v;
        }

        private static void checkToken(ConfigObject o, String key, OptionalInt id, int vocab) {
            if (id.isPresent() && (id.getAsInt() < 0 || id.getAsInt() >= vocab)) {
                throw new ManifestException(o.field(key), "token id " + id.getAsInt() + " is outside the vocabulary [0, "
                        + vocab + ")");
            }
        }
    }
}
