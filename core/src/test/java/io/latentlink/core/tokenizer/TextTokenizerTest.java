package io.latentlink.core.tokenizer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link TextTokenizer} on a byte-level tokenizer.json written by the test, so every expectation is derivable. */
class TextTokenizerTest {

    @TempDir
    static Path dir;
    static TextTokenizer bytes;

    @BeforeAll
    static void load() throws IOException {
        bytes = TextTokenizer.load(ByteTokenizerJson.write(dir));
    }

    @AfterAll
    static void close() {
        bytes.close();
    }

    @Test
    void oneTokenPerUtf8ByteWithTheCharactersUtf16Span() {
        String text = "naïve 東京 🙂!";
        TokenEncoding e = bytes.encode(text);
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        assertEquals(utf8.length, e.size());
        int token = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int units = Character.charCount(cp);
            int byteCount = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            for (int b = 0; b < byteCount; b++, token++) {
                assertEquals(utf8[token] & 0xFF, e.id(token), "id of byte " + token);
                assertEquals(i, e.start(token), "start of byte " + token);
                assertEquals(i + units, e.end(token), "end of byte " + token);
                assertFalse(e.isSpecial(token));
            }
            i += units;
        }
        assertEquals("🙂", e.covered(utf8.length - 5));
        assertEquals(text, bytes.decode(e.ids()));
    }

    @Test
    void specialTokensOnlyWhenAskedAndWithoutSpan() {
        TokenEncoding plain = bytes.encode("hi");
        assertArrayEquals(new int[] {'h', 'i'}, plain.ids());
        TokenEncoding withBos = bytes.encode("hi", true);
        assertArrayEquals(new int[] {ByteTokenizerJson.BOS_ID, 'h', 'i'}, withBos.ids());
        assertTrue(withBos.isSpecial(0));
        assertFalse(withBos.hasSpan(0));
        assertEquals(TokenEncoding.NO_SPAN, withBos.start(0));
        assertEquals("<s>hi", bytes.decode(withBos.ids()));
        assertEquals("hi", bytes.decode(withBos.ids(), true));
    }

    @Test
    void emptyText() {
        assertTrue(bytes.encode("").isEmpty());
        assertEquals(1, bytes.encode("", true).size());
        assertEquals("", bytes.decode(new int[0]));
    }

    @Test
    void longTextsAreNotTruncated() {
        String text = "abc".repeat(400);                             // DJL's default would stop at 512 tokens
        TokenEncoding e = bytes.encode(text);
        assertEquals(1200, e.size());
        assertEquals(text, bytes.decode(e.ids()));
    }

    @Test
    void idsWidenForOnnxInputs() {
        TokenEncoding e = bytes.encode("ok");
        assertArrayEquals(new long[] {'o', 'k'}, e.idsAsLongs());
    }

    @Test
    void negativeIdsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bytes.decode(new int[] {1, -3}));
        assertTrue(e.getMessage().contains("-3"), e.getMessage());
    }

    @Test
    void loadFailuresNameTheFile(@TempDir Path tmp) throws IOException {
        IOException missing = assertThrows(IOException.class, () -> TextTokenizer.load(tmp.resolve("nope.json")));
        assertTrue(missing.getMessage().contains("nope.json"), missing.getMessage());
        IOException emptyDir = assertThrows(IOException.class, () -> TextTokenizer.load(tmp));
        assertTrue(emptyDir.getMessage().contains("tokenizer.json"), emptyDir.getMessage());
        Path broken = Files.writeString(tmp.resolve("broken.json"), "{\"model\": 42}");
        IOException bad = assertThrows(IOException.class, () -> TextTokenizer.load(broken));
        assertTrue(bad.getMessage().contains("broken.json"), bad.getMessage());
    }

    @Test
    void loadsFromAModelFolder() throws IOException {
        try (TextTokenizer t = TextTokenizer.load(dir)) {
            assertEquals(dir.resolve("tokenizer.json"), t.source());
            assertArrayEquals(new int[] {'x'}, t.encode("x").ids());
        }
    }

    @Test
    void closedTokenizerRefusesWork() throws IOException {
        TextTokenizer t = TextTokenizer.load(dir);
        t.close();
        t.close();                                                  // idempotent
        assertThrows(IllegalStateException.class, () -> t.encode("x"));
        assertThrows(IllegalStateException.class, () -> t.decode(new int[] {1}));
    }

    @Test
    void encodesFromSeveralThreadsAtOnce() throws Exception {
        String text = "naïve 東京 🙂 ".repeat(50);
        TokenEncoding expected = bytes.encode(text);
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 100; i++) {
                        if (!bytes.encode(text).equals(expected)) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (var r : results) {
                assertTrue(r.get(), "a concurrent encoding differed");
            }
        }
    }

    @Test
    void djlTelemetryIsSwitchedOff() {
        // Loading a tokenizer must never reach for the EC2 metadata address; these properties stop DJL from trying.
        assertEquals("true", System.getProperty("ai.djl.offline"));
        assertEquals("true", System.getProperty("OPT_OUT_TRACKING"));
    }
}
