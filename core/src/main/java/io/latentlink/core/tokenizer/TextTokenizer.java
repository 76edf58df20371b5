package io.latentlink.core.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * A Hugging Face {@code tokenizer.json} loaded from a local file, fully offline.
 *
 * <p>Wraps DJL's {@code HuggingFaceTokenizer} (the Rust {@code tokenizers} library over JNI). DJL ships its native
 * library inside its jar ({@code native/lib/linux-x86_64/cpu/libtokenizers.so}, and likewise for linux-aarch64,
 * osx-aarch64, win-x86_64) and extracts it once to {@code ~/.djl.ai/tokenizers/} (override with the
 * {@code ENGINE_CACHE_DIR} or {@code DJL_CACHE_DIR} environment variable or system property); nothing is downloaded.
 * The only network access DJL would otherwise attempt is a telemetry "call home" to the EC2 metadata address on every
 * tokenizer load; this class turns it off by setting the system properties {@code ai.djl.offline=true} and
 * {@code OPT_OUT_TRACKING=true} (unless already set) before the first load.
 *
 * <p>Unlike DJL's defaults, nothing is truncated (DJL would cut at 512 tokens), nothing is padded, and no special
 * tokens are added unless a caller asks with {@link #encode(String, boolean)}. Offsets in the returned
 * {@link TokenEncoding} are UTF-16 indices (DJL reports Unicode code points; they are converted here).
 *
 * <p>Encoding and decoding are safe from several threads; {@link #close()} must not race with them.
 */
public final class TextTokenizer implements Closeable {

    static {
        disableDjlNetworkAccess();
    }

    private final Path source;
    private final HuggingFaceTokenizer tokenizer;
    private volatile boolean closed;

    private TextTokenizer(Path source, HuggingFaceTokenizer tokenizer) {
        this.source = source;
        this.tokenizer = tokenizer;
    }

    /**
     * Loads a tokenizer.
     *
     * @param path a {@code tokenizer.json} file, or a model folder that holds one
     * @throws IOException if the file is missing, unreadable or not a valid tokenizer.json
     */
    public static TextTokenizer load(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
        if (!Files.isRegularFile(file)) {
            throw new IOException("no tokenizer.json at " + file);
        }
        Map<String, String> options = Map.of(
                "addSpecialTokens", "false",
                "truncation", "false",
                "padding", "false");
        try {
            return new TextTokenizer(file, HuggingFaceTokenizer.newInstance(file, options));
        } catch (RuntimeException e) {
            // The native side reports parse errors as plain RuntimeExceptions without the file name.
            throw new IOException("cannot load tokenizer " + file + ": " + e.getMessage(), e);
        }
    }

    /** The tokenizer.json this tokenizer was loaded from. */
    public Path source() {
        return source;
    }

    /** Encodes {@code text} without adding special tokens. */
    public TokenEncoding encode(String text) {
        return encode(text, false);
    }

    /**
     * Encodes {@code text}.
     *
     * @param addSpecialTokens whether the tokenizer's post-processor may add its special tokens (BOS and the like),
     *                         as Hugging Face's {@code add_special_tokens=True} does; such tokens have no span
     */
    public TokenEncoding encode(String text, boolean addSpecialTokens) {
        Objects.requireNonNull(text, "text");
        ensureOpen();
        Encoding encoding = tokenizer.encode(text, addSpecialTokens, false);
        long[] rawIds = encoding.getIds();
        CharSpan[] spans = encoding.getCharTokenSpans();
        long[] specialMask = encoding.getSpecialTokenMask();
        int n = rawIds.length;
        int[] ids = new int[n];
        int[] starts = new int[n];
        int[] ends = new int[n];
        boolean[] special = new boolean[n];
        CodePointIndex index = new CodePointIndex(text);
        for (int i = 0; i < n; i++) {
            ids[i] = Math.toIntExact(rawIds[i]);
            special[i] = specialMask[i] != 0;
            CharSpan span = spans[i];
            if (span == null || span.getEnd() <= span.getStart()) {
                starts[i] = TokenEncoding.NO_SPAN;
                ends[i] = TokenEncoding.NO_SPAN;
            } else {
                starts[i] = index.toUtf16(span.getStart());
                ends[i] = index.toUtf16(span.getEnd());
            }
        }
        return TokenEncoding.of(text, ids, starts, ends, special);
    }

    /** Decodes token ids to text, keeping special tokens (as Hugging Face's default does). */
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    /**
     * Decodes token ids to text.
     *
     * @param skipSpecialTokens whether special tokens are left out of the text
     * @throws IllegalArgumentException if an id is negative
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        Objects.requireNonNull(ids, "ids");
        ensureOpen();
        long[] wide = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0) {
                throw new IllegalArgumentException("negative token id " + ids[i] + " at position " + i);
            }
            wide[i] = ids[i];
        }
        return tokenizer.decode(wide, skipSpecialTokens);
    }

    /** Releases the native tokenizer; later calls to encode or decode throw {@link IllegalStateException}. */
    @Override
    public void close() {
        closed = true;
        tokenizer.close();
    }

    @Override
    public String toString() {
        return "TextTokenizer[" + source + (closed ? ", closed]" : "]");
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("tokenizer " + source + " is closed");
        }
    }

    private static void disableDjlNetworkAccess() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getProperty("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
    }

    /** Maps code point indices of one string to UTF-16 indices; the identity when the string has no surrogates. */
    private static final class CodePointIndex {
        private final int[] utf16ByCodePoint;
        private final int codePoints;

        CodePointIndex(String text) {
            codePoints = text.codePointCount(0, text.length());
            if (codePoints == text.length()) {
                utf16ByCodePoint = null;
                return;
            }
            utf16ByCodePoint = new int[codePoints + 1];
            int utf16 = 0;
            for (int cp = 0; cp < codePoints; cp++) {
                utf16ByCodePoint[cp] = utf16;
                utf16 += Character.charCount(text.codePointAt(utf16));
            }
            utf16ByCodePoint[codePoints] = utf16;
        }

        int toUtf16(int codePoint) {
            if (codePoint < 0 || codePoint > codePoints) {
                throw new IllegalStateException("tokenizer reported offset " + codePoint
                        + " outside a text of " + codePoints + " code points");
            }
            return utf16ByCodePoint == null ? codePoint : utf16ByCodePoint[codePoint];
        }
    }
}
