package io.latentlink.core.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks an alignment against the rules in {@link TokenAligner}'s documentation (core span without leading spaces,
 * overlap candidates, nearest-preceding fallback), written out naively over all pairs, independent of the aligner.
 */
final class AlignmentOracle {

    private AlignmentOracle() {
    }

    static void check(TokenEncoding rx, TokenEncoding sx, AlignmentStrategy strategy, int[] alignment) {
        assertEquals(rx.size(), alignment.length, "one sharer position per receiver token");
        int lastSpannedEnd = 0;
        for (int i = 0; i < rx.size(); i++) {
            int got = alignment[i];
            assertTrue(got >= 0 && got < sx.size(), "position " + got + " out of range for receiver token " + i);
            int expected;
            if (rx.hasSpan(i)) {
                int e = rx.end(i);
                int s = rx.start(i);
                while (s < e - 1 && rx.text().charAt(s) == ' ') {
                    s++;                                           // the core: leading spaces dropped
                }
                expected = expectedWithSpan(sx, s, e, strategy);
                if (strategy == AlignmentStrategy.LAST && containsChar(sx, e - 1)) {
                    assertTrue(sx.start(got) <= e - 1 && e - 1 < sx.end(got),
                            "LAST must pick a sharer token holding the last character of receiver token " + i);
                }
                if (expected < 0) {
                    expected = nearestPreceding(sx, s);
                }
                lastSpannedEnd = e;
            } else {
                expected = nearestPreceding(sx, lastSpannedEnd);
            }
            int index = i;
            assertEquals(expected, got, () -> strategy + ": receiver token " + index + " '" + rx.covered(index)
                    + "' [" + rx.start(index) + "," + rx.end(index) + ")");
        }
    }

    private static int expectedWithSpan(TokenEncoding sx, int s, int e, AlignmentStrategy strategy) {
        int first = -1;
        int last = -1;
        int longest = -1;
        int best = 0;
        for (int j = 0; j < sx.size(); j++) {
            if (!sx.hasSpan(j)) {
                continue;
            }
            int overlap = Math.min(sx.end(j), e) - Math.max(sx.start(j), s);
            if (overlap > 0) {
                if (first < 0) {
                    first = j;
                }
                last = j;
                if (overlap >= best) {
                    best = overlap;
                    longest = j;
                }
            }
        }
        return switch (strategy) {
            case FIRST -> first;
            case LAST -> last;
            case LONGEST -> longest;
        };
    }

    private static boolean containsChar(TokenEncoding sx, int index) {
        for (int j = 0; j < sx.size(); j++) {
            if (sx.hasSpan(j) && sx.start(j) <= index && index < sx.end(j)) {
                return true;
            }
        }
        return false;
    }

    private static int nearestPreceding(TokenEncoding sx, int offset) {
        int best = 0;
        for (int j = 0; j < sx.size(); j++) {
            if (sx.hasSpan(j) && sx.end(j) <= offset) {
                best = j;
            }
        }
        return best;
    }
}
