package io.latentlink.core.tokenizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.latentlink.core.tokenizer.AlignmentStrategy.FIRST;
import static io.latentlink.core.tokenizer.AlignmentStrategy.LAST;
import static io.latentlink.core.tokenizer.AlignmentStrategy.LONGEST;
import static io.latentlink.core.tokenizer.TokenEncoding.NO_SPAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Aligner edge cases on hand-built encodings, where the expected positions follow from the documented rules. */
class TokenAlignerTest {

    /** Builds an encoding from (start, end) pairs; a pair of NO_SPAN marks a special token without span. */
    private static TokenEncoding enc(String text, int... startEndPairs) {
        int n = startEndPairs.length / 2;
        int[] ids = new int[n];
        int[] starts = new int[n];
        int[] ends = new int[n];
        boolean[] special = new boolean[n];
        for (int i = 0; i < n; i++) {
            ids[i] = 100 + i;
            starts[i] = startEndPairs[2 * i];
            ends[i] = startEndPairs[2 * i + 1];
            special[i] = starts[i] == NO_SPAN;
        }
        return TokenEncoding.of(text, ids, starts, ends, special);
    }

    private static void assertAlign(TokenEncoding rx, TokenEncoding sx, AlignmentStrategy strategy, int... expected) {
        assertArrayEquals(expected, TokenAligner.align(rx, sx, strategy), strategy + " (binary search)");
        assertArrayEquals(expected, TokenAligner.align(rx, sx, strategy, true), strategy + " (scan)");
    }

    @ParameterizedTest
    @EnumSource(AlignmentStrategy.class)
    void identicalTokenizationsAlignOneToOne(AlignmentStrategy strategy) {
        String text = "the cat sat";
        TokenEncoding e = enc(text, 0, 3, 3, 7, 7, 11);
        assertAlign(e, e, strategy, 0, 1, 2);
    }

    @ParameterizedTest
    @EnumSource(AlignmentStrategy.class)
    void emptyReceiverGivesEmptyAlignment(AlignmentStrategy strategy) {
        assertAlign(enc(""), enc(""), strategy);
        assertAlign(enc("abc"), enc("abc", 0, 3), strategy);
    }

    @Test
    void emptyTextWithSpecialTokensMapsToSharerStart() {
        TokenEncoding rx = enc("", NO_SPAN, NO_SPAN);
        TokenEncoding sx = enc("", NO_SPAN, NO_SPAN, NO_SPAN, NO_SPAN);
        assertAlign(rx, sx, LAST, 0);
    }

    @Test
    void receiverTokensWithoutSharerTokensAreRejected() {
        TokenEncoding rx = enc("", NO_SPAN, NO_SPAN);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TokenAligner.align(rx, enc(""), LAST));
        assertTrue(e.getMessage().contains("no tokens"), e.getMessage());
    }

    @Test
    void encodingsOfDifferentTextsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TokenAligner.align(enc("ab", 0, 2), enc("ac", 0, 2), FIRST));
        assertTrue(e.getMessage().contains("different texts"), e.getMessage());
    }

    @Test
    void receiverTokenSpanningSeveralSharerTokens() {
        String text = "hello world";
        TokenEncoding rx = enc(text, 0, 5, 5, 11);                 // "hello", " world"
        TokenEncoding sx = enc(text, 0, 2, 2, 5, 5, 8, 8, 11);     // "he", "llo", " wo", "rld"
        assertAlign(rx, sx, FIRST, 0, 2);
        assertAlign(rx, sx, LAST, 1, 3);
        assertAlign(rx, sx, LONGEST, 1, 3);                        // 3 > 2; " wo" and "rld" tie at 3: later wins
    }

    @Test
    void severalReceiverTokensInsideOneSharerToken() {
        String text = "unbelievable";
        TokenEncoding rx = enc(text, 0, 2, 2, 9, 9, 12);           // "un", "believ", "able"
        TokenEncoding sx = enc(text, 0, 12);
        for (AlignmentStrategy s : AlignmentStrategy.values()) {
            assertAlign(rx, sx, s, 0, 0, 0);
        }
    }

    @Test
    void byteLevelSharerSplitsMultiByteCharacters() {
        // "é!" : a byte-level sharer has two tokens for é (UTF-8 C3 A9), both spanning [0, 1).
        String text = "é!";
        TokenEncoding rx = enc(text, 0, 1, 1, 2);
        TokenEncoding sx = enc(text, 0, 1, 0, 1, 1, 2);
        assertAlign(rx, sx, FIRST, 0, 2);
        assertAlign(rx, sx, LAST, 1, 2);
        assertAlign(rx, sx, LONGEST, 1, 2);
    }

    @Test
    void surrogatePairsCountAsTwoUtf16Units() {
        // "a👋b": the emoji occupies UTF-16 indices 1..3 and four UTF-8 bytes.
        String text = "a\uD83D\uDC4Bb";
        TokenEncoding rx = enc(text, 0, 1, 1, 3, 3, 4);
        TokenEncoding sx = enc(text, 0, 1, 1, 3, 1, 3, 1, 3, 1, 3, 3, 4);
        assertAlign(rx, sx, FIRST, 0, 1, 5);
        assertAlign(rx, sx, LAST, 0, 4, 5);
    }

    @Test
    void partlyOverlappingByteTokensAsQwenEmitsThem() {
        // Qwen3 encodes " 👋" as [" " + first bytes] spanning [0, 3) and [last byte] spanning [1, 3).
        String text = " \uD83D\uDC4B";
        TokenEncoding rx = enc(text, 0, 1, 1, 3);                 // " ", "👋"
        TokenEncoding sx = enc(text, 0, 3, 1, 3);
        assertAlign(rx, sx, FIRST, 0, 0);
        assertAlign(rx, sx, LAST, 0, 1);
        assertAlign(rx, sx, LONGEST, 0, 1);                       // " ": 1 vs 0 overlap; "👋": tie 2-2, later wins
    }

    @Test
    void specialTokensWithoutSpanFallBackToNearestPrecedingSharerToken() {
        String text = "hi there";
        TokenEncoding rx = enc(text, NO_SPAN, NO_SPAN, 0, 2, 2, 8, NO_SPAN, NO_SPAN);   // BOS "hi" " there" EOS
        TokenEncoding sx = enc(text, NO_SPAN, NO_SPAN, 0, 1, 1, 2, 2, 5, 5, 8);         // BOS "h" "i" " th" "ere"
        assertAlign(rx, sx, LAST, 0, 2, 4, 4);
        assertAlign(rx, sx, FIRST, 0, 1, 3, 4);
        // A special token in the middle falls back to the sharer token that ends where the previous receiver token did.
        TokenEncoding rxMid = enc(text, 0, 2, NO_SPAN, NO_SPAN, 2, 8);
        assertAlign(rxMid, sx, FIRST, 1, 2, 3);
    }

    @Test
    void receiverTokenWithoutOverlapFallsBackToNearestPrecedingSharerToken() {
        // The sharer covers neither the leading "x" at [0, 1) nor the space at [3, 4) (as a normaliser might drop them).
        String text = "xab c";
        TokenEncoding rx = enc(text, 0, 1, 1, 3, 3, 4, 4, 5);     // "x" "ab" " " "c"
        TokenEncoding sx = enc(text, 1, 3, 4, 5);                 // "ab" "c"
        for (AlignmentStrategy s : AlignmentStrategy.values()) {
            // "x": nothing precedes it -> 0; " ": nearest preceding is "ab".
            assertAlign(rx, sx, s, 0, 0, 0, 1);
        }
    }

    @Test
    void leadingSpacesAreNotPartOfTheMatchAsInTheTrainingCode() {
        // Byte sharer with BOS at 0: sharer position of text byte k is 1 + k. Training: last = 1 + (end - 1),
        // first = 1 + (first non-space index), or 1 + (end - 1) when the token is all spaces.
        String text = "in  Varn";
        TokenEncoding rx = enc(text, NO_SPAN, NO_SPAN, 0, 2, 2, 3, 3, 8);   // BOS "in" " " " Varn"
        int[] bytes = new int[2 + 2 * text.length()];
        bytes[0] = NO_SPAN;
        bytes[1] = NO_SPAN;
        for (int k = 0; k < text.length(); k++) {
            bytes[2 + 2 * k] = k;
            bytes[3 + 2 * k] = k + 1;
        }
        TokenEncoding sx = enc(text, bytes);
        assertAlign(rx, sx, FIRST, 0, 1, 3, 5);
        assertAlign(rx, sx, LAST, 0, 2, 3, 8);
        assertAlign(rx, sx, LONGEST, 0, 2, 3, 8);                   // one char each: ties go to the later token
    }

    @Test
    void aSharerTokenCoveringOnlyTheSpaceIsNotTheFirstMatch() {
        String text = "a word";
        TokenEncoding rx = enc(text, 0, 1, 1, 6);                   // "a", " word"
        TokenEncoding sx = enc(text, 0, 1, 1, 2, 2, 6);             // "a", " ", "word"
        assertAlign(rx, sx, FIRST, 0, 2);
        assertAlign(rx, sx, LONGEST, 0, 2);
        TokenEncoding rxSpace = enc(text, 0, 1, 1, 2, 2, 6);        // "a", " ", "word": an all-space token keeps itself
        assertAlign(rxSpace, sx, FIRST, 0, 1, 2);
    }

    @Test
    void unorderedSharerSpansUseTheScanWithTheSameRules() {
        String text = "abcd";
        TokenEncoding rx = enc(text, 0, 2, 2, 4);
        TokenEncoding sx = enc(text, 2, 4, 0, 2);                 // out of order on purpose
        assertAlign(rx, sx, FIRST, 1, 0);
        assertAlign(rx, sx, LAST, 1, 0);
        assertAlign(rx, sx, LONGEST, 1, 0);
    }

    @Test
    void binarySearchAndScanAgreeOnRandomTokenizations() {
        Random random = new Random(7);
        for (int round = 0; round < 500; round++) {
            int length = random.nextInt(40);
            StringBuilder chars = new StringBuilder();
            for (int c = 0; c < length; c++) {
                chars.append("ab  ".charAt(random.nextInt(4)));
            }
            String text = chars.toString();
            TokenEncoding rx = randomEncoding(text, random);
            TokenEncoding sx = randomEncoding(text, random);
            if (sx.isEmpty() && !rx.isEmpty()) {
                continue;
            }
            for (AlignmentStrategy s : AlignmentStrategy.values()) {
                int[] fast = TokenAligner.align(rx, sx, s);
                assertArrayEquals(TokenAligner.align(rx, sx, s, true), fast, () -> s + " " + rx + " / " + sx);
                AlignmentOracle.check(rx, sx, s, fast);
                for (int p : fast) {
                    assertTrue(p >= 0 && p < sx.size());
                }
            }
        }
    }

    /** Random ordered tokenization: contiguous pieces, some repeated (byte splits), some gaps and spanless tokens. */
    private static TokenEncoding randomEncoding(String text, Random random) {
        List<int[]> spans = new ArrayList<>();
        if (random.nextBoolean()) {
            spans.add(new int[] {NO_SPAN, NO_SPAN});
        }
        int pos = 0;
        while (pos < text.length()) {
            int len = 1 + random.nextInt(Math.min(4, text.length() - pos));
            int repeats = random.nextInt(8) == 0 ? 2 + random.nextInt(3) : 1;
            boolean gap = random.nextInt(10) == 0;
            for (int r = 0; r < repeats && !gap; r++) {
                spans.add(new int[] {pos, pos + len});
            }
            if (random.nextInt(12) == 0) {
                spans.add(new int[] {NO_SPAN, NO_SPAN});
            }
            pos += len;
        }
        int[] flat = new int[spans.size() * 2];
        for (int i = 0; i < spans.size(); i++) {
            flat[2 * i] = spans.get(i)[0];
            flat[2 * i + 1] = spans.get(i)[1];
        }
        return enc(text, flat);
    }

    @Test
    void strategyNamesParseAsInTheFuserManifest() {
        assertEquals(LAST, AlignmentStrategy.parse("last"));
        assertEquals(FIRST, AlignmentStrategy.parse("FIRST"));
        assertEquals(LONGEST, AlignmentStrategy.parse(" longest "));
        assertEquals("longest", LONGEST.manifestName());
        assertThrows(IllegalArgumentException.class, () -> AlignmentStrategy.parse("middle"));
    }

    @Test
    void encodingRejectsSpansOutsideTheText() {
        assertThrows(IllegalArgumentException.class, () -> enc("ab", 0, 3));
        assertThrows(IllegalArgumentException.class, () -> enc("ab", 2, 1));
        assertThrows(IllegalArgumentException.class, () -> enc("ab", -1, 1));
        assertThrows(IllegalArgumentException.class,
                () -> TokenEncoding.of("ab", new int[1], new int[2], new int[1], new boolean[1]));
    }
}
