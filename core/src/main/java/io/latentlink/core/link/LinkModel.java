package io.latentlink.core.link;

import io.latentlink.core.model.DecoderSession;
import io.latentlink.core.model.GenerationConfig;
import io.latentlink.core.model.Generator;
import io.latentlink.core.model.ModelManifest;
import io.latentlink.core.model.SessionConfig;
import io.latentlink.core.model.TokenText;
import io.latentlink.core.tokenizer.TextTokenizer;
import io.latentlink.core.tokenizer.TokenEncoding;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * A model folder opened for use: decoder session, tokenizer and generator, with the demo family's conventions.
 * <p>
 * Conventions (docs/ARTIFACTS.md): the tokenizer adds no special tokens, the caller prepends the manifest's BOS;
 * answers end at eos or at the first token whose text holds a newline.
 */
public final class LinkModel implements AutoCloseable {
    public static final String TOKENIZER_FILE = "tokenizer.json";

    private final String id;
    private final DecoderSession session;
    private final TextTokenizer tokenizer;
    private final Generator generator;
    private final Set<Long> newlineTokens;
    private final String modelSha256;

    private LinkModel(String id, DecoderSession session, TextTokenizer tokenizer) {
        this.id = id;
        this.session = session;
        this.tokenizer = tokenizer;
        this.generator = new Generator(session);
        this.newlineTokens = newlineTokens(tokenizer, session.manifest().vocabSize());
        this.modelSha256 = session.manifest().modelFileSha256();
    }

    /** Opens {@code dir} (genai_config.json, model.onnx, tokenizer.json); the id is the folder's name. */
    public static LinkModel open(Path dir, SessionConfig config) {
        Path tokenizerFile = dir.resolve(TOKENIZER_FILE);
        if (!Files.isRegularFile(tokenizerFile)) {
            throw new IllegalArgumentException("model folder " + dir + " has no " + TOKENIZER_FILE);
        }
        DecoderSession session = DecoderSession.open(dir, config);
        try {
            return new LinkModel(dir.toAbsolutePath().normalize().getFileName().toString(), session,
                    TextTokenizer.load(tokenizerFile));
        } catch (IOException e) {
            session.close();
            throw new UncheckedIOException("cannot load tokenizer " + tokenizerFile, e);
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    private static Set<Long> newlineTokens(TextTokenizer tokenizer, int vocabSize) {
        Set<Long> ids = new HashSet<>();
        for (int id = 0; id < vocabSize; id++) {
            if (tokenizer.decode(new int[] {id}, false).indexOf('\n') >= 0) {
                ids.add((long) id);
            }
        }
        return Set.copyOf(ids);
    }

    public String id() {
        return id;
    }

    public ModelManifest manifest() {
        return session.manifest();
    }

    /** sha256 of model.onnx, which fusers are bound to. */
    public String modelSha256() {
        return modelSha256;
    }

    public DecoderSession session() {
        return session;
    }

    public Generator generator() {
        return generator;
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /** Tokenizes {@code text} with the model's BOS in front (a token without a span), as the models were trained. */
    public TokenEncoding encode(String text) {
        TokenEncoding plain = tokenizer.encode(text, false);
        if (manifest().bosTokenId().isEmpty()) {
            return plain;
        }
        int n = plain.size();
        int[] ids = new int[n + 1];
        int[] starts = new int[n + 1];
        int[] ends = new int[n + 1];
        boolean[] special = new boolean[n + 1];
        ids[0] = manifest().bosTokenId().getAsInt();
        starts[0] = TokenEncoding.NO_SPAN;
        ends[0] = TokenEncoding.NO_SPAN;
        special[0] = true;
        for (int i = 0; i < n; i++) {
            ids[i + 1] = plain.id(i);
            starts[i + 1] = plain.start(i);
            ends[i + 1] = plain.end(i);
            special[i + 1] = plain.isSpecial(i);
        }
        return TokenEncoding.of(text, ids, starts, ends, special);
    }

    /**
     * The ids of a prompt (BOS first), refused with a message when they do not fit the model's context: every mode
     * and node must fail such a prompt the same way, before any compute.
     */
    public long[] promptIds(String prompt) {
        long[] ids = encode(prompt).idsAsLongs();
        if (ids.length > manifest().contextLength()) {
            throw new IllegalArgumentException("prompt of " + ids.length + " tokens exceeds the context length "
                    + manifest().contextLength() + " of " + id);
        }
        return ids;
    }

    /** Greedy, stopping at eos or a newline: how LinkQA answers and relay sentences are produced. */
    public GenerationConfig lineConfig(int maxNewTokens) {
        return GenerationConfig.greedy(maxNewTokens).withStopOnEos(true).withStopTokenIds(newlineTokens);
    }

    public TokenText text() {
        return ids -> {
            int[] ints = new int[ids.length];
            for (int i = 0; i < ids.length; i++) {
                ints[i] = Math.toIntExact(ids[i]);
            }
            return tokenizer.decode(ints, true);
        };
    }

    @Override
    public void close() {
        try {
            tokenizer.close();
        } finally {
            session.close();
        }
    }
}
