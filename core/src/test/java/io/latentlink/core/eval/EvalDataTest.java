package io.latentlink.core.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvalDataTest {
    @Test
    void readsJsonlAndScoresExactMatch(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("s.jsonl");
        Files.writeString(file, """
                {"id": "a", "form": "plain", "prompt": "Q? Answer:", "answer": "Varn", "extra": 1}

                {"id": "b", "form": "script", "prompt": "Q2? Answer:", "answer": "baker"}
                """);
        List<LinkQaItem> items = LinkQaDataset.read(file);
        assertEquals(2, items.size());
        assertTrue(items.get(0).isCorrect(" Varn "));
        assertFalse(items.get(0).isCorrect("Varna"));
        assertFalse(items.get(1).isCorrect(null));
    }

    @Test
    void badLinesNameTheLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, "{\"prompt\": \"p\", \"answer\": \"a\"}\n{\"prompt\": \"only\"}\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LinkQaDataset.read(file)).getMessage().contains("bad.jsonl:2"));
    }

    @Test
    void percentilesAreNearestRank() {
        ModeResult r = ModeResult.of(3, new double[] {5, 1, 4, 2, 3, 10, 9, 8, 7, 6});
        assertEquals(0.3, r.accuracy(), 1e-12);
        assertEquals(10, r.n());
        assertEquals(5, r.p50Ms());
        assertEquals(10, r.p95Ms());
        assertEquals(0, ModeResult.of(0, new double[0]).p50Ms());
    }
}
