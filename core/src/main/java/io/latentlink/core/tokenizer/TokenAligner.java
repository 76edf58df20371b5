package io.latentlink.core.tokenizer;

import java.util.Objects;

/**
 * Maps each receiver token to one sharer token position, by character offsets, so that a fuser can read the sharer's
 * KV cache "at" every receiver token. Receiver tokens are the base: the result has one entry per receiver token.
 *
 * <p>Both encodings must be of the same text. A receiver token with span {@code [s, e)} is matched by its <b>core</b>
 * {@code [c, e)}: the span without its leading spaces (U+0020), or just its last character when it is all spaces.
 * Byte-level BPE tokenizers glue a word's leading space onto the word (" Varn"); the core is the word itself, so FIRST
 * lands on the word's first letter rather than on a space. The candidates are the sharer tokens whose spans overlap
 * the core ({@code start < e && end > c}); {@link AlignmentStrategy} picks one:
 * <ul>
 *   <li>{@code FIRST}: the candidate with the lowest position (it holds the core's first character, or is the first
 *       sharer token after it when no sharer token holds that character);</li>
 *   <li>{@code LAST}: the candidate with the highest position (it holds the last character; for a byte-level sharer
 *       that splits a character into several tokens with the same span, the token with the final byte);</li>
 *   <li>{@code LONGEST}: the candidate sharing the most UTF-16 units with the core, ties to the later one.</li>
 * </ul>
 * With a byte-per-token sharer whose BOS is at position 0 and ASCII text, this is exactly the training code's rule
 * (docs/ARTIFACTS.md, "C2C procedure"): LAST = {@code 1 + (e - 1)}, FIRST = {@code 1 + c}.
 *
 * <p>When there is no candidate the receiver token falls back to the <b>nearest preceding sharer token</b>: the highest
 * sharer position whose span ends at or before a reference offset, which is {@code c} for a token with a span and,
 * for a token without one (a special token added by a post-processor or prepended by the caller, such as BOS), the
 * end of the last earlier receiver token that has a span (0 if none). When not even that exists (the text start,
 * e.g. a receiver BOS) the answer is sharer position 0, which is the sharer's BOS when it has one. Sharer tokens
 * without a span are never candidates; they are reached only through that last rule.
 *
 * <p>Cost: O(n log m) plus the overlap counts when the sharer spans are in order (start and end never decrease with the
 * position, as for every tokenizer seen so far); otherwise an O(n·m) scan by the same rules.
 */
public final class TokenAligner {

    private TokenAligner() {
    }

    /**
     * Aligns every receiver token to a sharer token.
     *
     * @return {@code a} with {@code a[i]} the sharer position for receiver token {@code i}, {@code 0 <= a[i] < m}
     * @throws IllegalArgumentException if the encodings are of different texts, or the sharer has no tokens while
     *                                  the receiver has some
     */
    public static int[] align(TokenEncoding receiver, TokenEncoding sharer, AlignmentStrategy strategy) {
        return align(receiver, sharer, strategy, false);
    }

    /** As {@link #align}, optionally forcing the O(n·m) scan (tests compare both paths). */
    static int[] align(TokenEncoding receiver, TokenEncoding sharer, AlignmentStrategy strategy, boolean forceScan) {
        Objects.requireNonNull(receiver, "receiver");
        Objects.requireNonNull(sharer, "sharer");
        Objects.requireNonNull(strategy, "strategy");
        if (!receiver.text().equals(sharer.text())) {
            throw new IllegalArgumentException("receiver and sharer encodings are of different texts ("
                    + receiver.text().length() + " and " + sharer.text().length() + " UTF-16 units)");
        }
        int n = receiver.size();
        if (n == 0) {
            return new int[0];
        }
        if (sharer.isEmpty()) {
            throw new IllegalArgumentException("cannot align " + n + " receiver tokens to a sharer encoding with no tokens");
        }
        SharerSpans spans = SharerSpans.of(sharer, forceScan);
        String text = receiver.text();
        int[] out = new int[n];
        int lastSpannedEnd = 0;
        for (int i = 0; i < n; i++) {
            if (receiver.hasSpan(i)) {
                int e = receiver.end(i);
                out[i] = spans.pick(coreStart(text, receiver.start(i), e), e, strategy);
                lastSpannedEnd = e;
            } else {
                out[i] = spans.nearestPreceding(lastSpannedEnd);
            }
        }
        return out;
    }

    /** Start of a span's core: past its leading spaces, but never past its last character. */
    static int coreStart(String text, int start, int end) {
        int c = start;
        while (c < end - 1 && text.charAt(c) == ' ') {
            c++;
        }
        return c;
    }

    /** The sharer tokens that have spans, in position order, with their original positions. */
    private static final class SharerSpans {
        final int[] position;
        final int[] start;
        final int[] end;
        final int count;
        final boolean ordered;

        private SharerSpans(int[] position, int[] start, int[] end, int count, boolean ordered) {
            this.position = position;
            this.start = start;
            this.end = end;
            this.count = count;
            this.ordered = ordered;
        }

        static SharerSpans of(TokenEncoding sharer, boolean forceScan) {
            int m = sharer.size();
            int[] position = new int[m];
            int[] start = new int[m];
            int[] end = new int[m];
            int count = 0;
            boolean ordered = true;
            for (int j = 0; j < m; j++) {
                if (!sharer.hasSpan(j)) {
                    continue;
                }
                if (count > 0 && (sharer.start(j) < start[count - 1] || sharer.end(j) < end[count - 1])) {
                    ordered = false;
                }
                position[count] = j;
                start[count] = sharer.start(j);
                end[count] = sharer.end(j);
                count++;
            }
            return new SharerSpans(position, start, end, count, ordered && !forceScan);
        }

        int pick(int s, int e, AlignmentStrategy strategy) {
            return ordered ? pickOrdered(s, e, strategy) : pickByScan(s, e, strategy);
        }

        private int pickOrdered(int s, int e, AlignmentStrategy strategy) {
            // With starts and ends non-decreasing, the overlapping tokens form one run [lo, hi].
            int lo = firstEndAfter(s);
            int hi = lastStartBefore(e);
            if (lo > hi) {
                return lo > 0 ? position[lo - 1] : 0;
            }
            return switch (strategy) {
                case FIRST -> position[lo];
                case LAST -> position[hi];
                case LONGEST -> {
                    int best = lo;
                    int bestOverlap = -1;
                    for (int k = lo; k <= hi; k++) {
                        int overlap = Math.min(end[k], e) - Math.max(start[k], s);
                        if (overlap >= bestOverlap) {
                            best = k;
                            bestOverlap = overlap;
                        }
                    }
                    yield position[best];
                }
            };
        }

        private int pickByScan(int s, int e, AlignmentStrategy strategy) {
            int first = -1;
            int last = -1;
            int longest = -1;
            int longestOverlap = -1;
            for (int k = 0; k < count; k++) {
                int overlap = Math.min(end[k], e) - Math.max(start[k], s);
                if (overlap <= 0) {
                    continue;
                }
                if (first < 0) {
                    first = k;
                }
                last = k;
                if (overlap >= longestOverlap) {
                    longest = k;
                    longestOverlap = overlap;
                }
            }
            if (first < 0) {
                return nearestPreceding(s);
            }
            return position[switch (strategy) {
                case FIRST -> first;
                case LAST -> last;
                case LONGEST -> longest;
            }];
        }

        /** Highest sharer position whose span ends at or before {@code offset}; 0 when none does. */
        int nearestPreceding(int offset) {
            int best = -1;
            if (ordered) {
                best = firstEndAfter(offset) - 1;
            } else {
                for (int k = 0; k < count; k++) {
                    if (end[k] <= offset) {
                        best = k;
                    }
                }
            }
            return best >= 0 ? position[best] : 0;
        }

        /** Smallest k with end[k] > offset, or count. Needs ordered spans. */
        private int firstEndAfter(int offset) {
            int lo = 0;
            int hi = count;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (end[mid] > offset) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            return lo;
        }

        /** Largest k with start[k] < offset, or -1. Needs ordered spans. */
        private int lastStartBefore(int offset) {
            int lo = 0;
            int hi = count;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (start[mid] < offset) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo - 1;
        }
    }
}
