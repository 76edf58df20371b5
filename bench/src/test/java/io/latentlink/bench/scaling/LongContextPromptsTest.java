package io.latentlink.bench.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentlink.core.eval.LinkQaItem;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;

class LongContextPromptsTest {
    /** As the byte-level sharer counts: UTF-8 bytes plus BOS. */
    static final ToIntFunction<String> BYTES_PLUS_BOS = s -> s.getBytes(StandardCharsets.UTF_8).length + 1;

    static LinkQaItem item(int n, String form, String passage, String person) {
        return new LinkQaItem(String.format("ctx-test-%04d-%s", n, form), "context", "test", form,
                "Context: " + passage + " Question: Where does " + person + " live? Answer:", "City" + n, "city", person);
    }

    /** Items 0..4 with script passages of 40 + n bytes; item 3's plain passage names item 0's person. */
    static List<LinkQaItem> split() {
        List<LinkQaItem> items = new ArrayList<>();
        String[] people = {"Ann Ka", "Bo Li", "Cy Mo", "Di Nu", "Ed Po"};
        for (int n = 0; n < 5; n++) {
            items.add(item(n, "script", ("P" + n + " ").repeat(10 + n).strip() + ".", people[n]));
            String plain = people[n] + " lives in City" + n + "." + (n == 3 ? " " + people[0] + " likes tea." : "");
            items.add(item(n, "plain", plain, people[n]));
        }
        return items;
    }

    @Test
    void theAskedPassageComesFirstThenWholeFollowingPassagesWithinTheBudget() {
        LongContextPrompts b = new LongContextPrompts(split(), BYTES_PLUS_BOS);
        LinkQaItem asked = split().get(0);
        LongContextPrompts.Prompt p = b.build(asked, 200);
        assertTrue(p.text().startsWith("Context: P0 P0"), p.text());
        assertTrue(p.text().endsWith(" Question: Where does Ann Ka live? Answer:"), p.text());
        assertTrue(p.sharerTokens() <= 200, p.sharerTokens() + "");
        assertEquals(BYTES_PLUS_BOS.applyAsInt(p.text()), p.sharerTokens());
        assertEquals(LongContextPrompts.passage(asked.prompt()), LongContextPrompts.passage(p.text()).substring(0,
                LongContextPrompts.passage(asked.prompt()).length()));
        // Item 3's plain form names Ann Ka: its passage never joins a prompt about her.
        assertFalse(p.text().contains("P3"), p.text());
        assertTrue(p.text().contains("P1") && p.text().contains("P2") && p.text().contains("P4"), p.text());
        assertEquals(4, p.passages());
    }

    @Test
    void aLargerBudgetNeverGivesAShorterPromptAndAPassageThatDoesNotFitIsSkippedNotCut() {
        LongContextPrompts b = new LongContextPrompts(split(), BYTES_PLUS_BOS);
        LinkQaItem asked = split().get(2);
        int previous = 0;
        for (int budget = 100; budget <= 400; budget += 20) {
            LongContextPrompts.Prompt p = b.build(asked, budget);
            assertTrue(p.sharerTokens() <= budget && p.sharerTokens() >= previous, budget + ": " + p);
            previous = p.sharerTokens();
            for (String passage : LongContextPrompts.passage(p.text()).split("\\. ?")) {
                assertTrue(passage.isEmpty() || passage.matches("(P\\d)( \\1)*"), "whole passages only: " + passage);
            }
        }
        assertEquals(5, b.build(asked, 10_000).passages(), "everything fits a huge budget");
    }

    @Test
    void questionsAreTheFirstItemsThatFitTheShortestLength() {
        LongContextPrompts b = new LongContextPrompts(split(), BYTES_PLUS_BOS);
        List<LinkQaItem> q = b.questions(2, 200);
        assertEquals(List.of("ctx-test-0000-script", "ctx-test-0001-script"), q.stream().map(LinkQaItem::id).toList());
        int ownOfItem1 = BYTES_PLUS_BOS.applyAsInt(split().get(2).prompt());
        assertEquals(List.of("ctx-test-0000-script"), b.questions(1, ownOfItem1 - 1).stream().map(LinkQaItem::id).toList());
        assertThrows(IllegalArgumentException.class, () -> b.questions(6, 10_000));
        assertThrows(IllegalArgumentException.class, () -> b.build(split().get(0), 20));
    }

    @Test
    void promptsOutsideTheLinkQaFormatAreRefused() {
        assertEquals("a b.", LongContextPrompts.passage("Context: a b. Question: Who? Answer:"));
        assertEquals("Who?", LongContextPrompts.question("Context: a b. Question: Who? Answer:"));
        assertThrows(IllegalArgumentException.class, () -> LongContextPrompts.passage("Question: Who? Answer:"));
        assertThrows(IllegalArgumentException.class, () -> LongContextPrompts.passage("Context: a. Question: Who?"));
        assertThrows(IllegalArgumentException.class, () -> new LongContextPrompts(List.of(), BYTES_PLUS_BOS));
    }
}
