package io.latentlink.core.tokenizer;

import java.util.Arrays;
import java.util.Objects;

/**
 * The tokens of one text: ids, character spans and special-token flags, immutable.
 *
 * <p><b>Offsets are UTF-16 indices into {@link #text()}</b> (Java {@code String} indices), start inclusive and end
 * exclusive, so {@code text().substring(start(i), end(i))} is the text a token covers. A token that covers no text
 * (a special token added by a post-processor, such as a BOS) has no span: {@link #hasSpan(int)} is false and
 * {@link #start(int)} and {@link #end(int)} return {@link #NO_SPAN}. Several tokens may share one span: a byte-level
 * tokenizer splits a multi-byte character into several tokens, each covering the whole character.
 */
public final class TokenEncoding {

    /** The start and end of a token that covers no text. */
    public static final int NO_SPAN = -1;

    private final String text;
    private final int[] ids;
    private final int[] starts;
    private final int[] ends;
    private final boolean[] special;

    private TokenEncoding(String text, int[] ids, int[] starts, int[] ends, boolean[] special) {
        this.text = text;
        this.ids = ids;
        this.starts = starts;
        this.ends = ends;
        this.special = special;
    }

    /**
     * Builds an encoding from its parts (copied). Used by {@link TextTokenizer} and by tests that hand-build encodings.
     *
     * @param text    the encoded text
     * @param ids     token ids
     * @param starts  UTF-16 start index per token, or {@link #NO_SPAN}
     * @param ends    UTF-16 end index (exclusive) per token, or {@link #NO_SPAN}; {@code NO_SPAN} exactly where the
     *                start is
     * @param special whether each token is a special token
     * @throws IllegalArgumentException if the arrays differ in length or a span lies outside the text or is reversed
     */
    public static TokenEncoding of(String text, int[] ids, int[] starts, int[] ends, boolean[] special) {
        Objects.requireNonNull(text, "text");
        int n = ids.length;
        if (starts.length != n || ends.length != n || special.length != n) {
            throw new IllegalArgumentException("ids, starts, ends and special must have one entry per token: "
                    + n + ", " + starts.length + ", " + ends.length + ", " + special.length);
        }
        for (int i = 0; i < n; i++) {
            int s = starts[i];
            int e = ends[i];
            boolean none = s == NO_SPAN && e == NO_SPAN;
            if (!none && (s < 0 || e < s || e > text.length())) {
                throw new IllegalArgumentException("token " + i + " has span [" + s + ", " + e
                        + ") outside a text of " + text.length() + " UTF-16 units");
            }
        }
        return new TokenEncoding(text, ids.clone(), starts.clone(), ends.clone(), special.clone());
    }

    /** Builds an encoding of plain tokens (none special) from ids and spans. */
    public static TokenEncoding of(String text, int[] ids, int[] starts, int[] ends) {
        return of(text, ids, starts, ends, new boolean[ids.length]);
    }

    /** The encoded text. */
    public String text() {
        return text;
    }

    /** Number of tokens. */
    public int size() {
        return ids.length;
    }

    /** Whether there are no tokens (as for an empty text without special tokens). */
    public boolean isEmpty() {
        return ids.length == 0;
    }

    /** Token id at position {@code i}. */
    public int id(int i) {
        return ids[i];
    }

    /** A copy of all token ids. */
    public int[] ids() {
        return ids.clone();
    }

    /** All token ids widened to {@code long}, as ONNX {@code input_ids} tensors want them. */
    public long[] idsAsLongs() {
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }

    /** Whether token {@code i} covers at least one character of the text. */
    public boolean hasSpan(int i) {
        return starts[i] != NO_SPAN && ends[i] > starts[i];
    }

    /** UTF-16 start index of token {@code i}, or {@link #NO_SPAN}. */
    public int start(int i) {
        return starts[i];
    }

    /** UTF-16 end index (exclusive) of token {@code i}, or {@link #NO_SPAN}. */
    public int end(int i) {
        return ends[i];
    }

    /** Whether token {@code i} is a special token (BOS, EOS, chat markers...). */
    public boolean isSpecial(int i) {
        return special[i];
    }

    /** The text token {@code i} covers; empty when it has no span. */
    public String covered(int i) {
        return hasSpan(i) ? text.substring(starts[i], ends[i]) : "";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenEncoding other
                && text.equals(other.text)
                && Arrays.equals(ids, other.ids)
                && Arrays.equals(starts, other.starts)
                && Arrays.equals(ends, other.ends)
                && Arrays.equals(special, other.special);
    }

    @Override
    public int hashCode() {
        return Objects.hash(text, Arrays.hashCode(ids), Arrays.hashCode(starts));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("TokenEncoding[");
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(ids[i]);
            if (hasSpan(i)) {
                sb.append('@').append(starts[i]).append('-').append(ends[i]);
            }
            if (special[i]) {
                sb.append('*');
            }
        }
        return sb.append(']').toString();
    }
}
