package io.latentlink.core.link;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RelayFormatTest {
    @Test
    void contextPromptsBecomeSentenceRequestsAndBack() {
        String prompt = "Context: Xq lb Yz. Question: Where does Mira Tolsen live? Answer:";
        assertEquals("Context: Xq lb Yz. Question: Where does Mira Tolsen live? Sentence:", RelayFormat.sharerPrompt(prompt));
        assertEquals("Context: Mira Tolsen lives in Varn. Question: Where does Mira Tolsen live? Answer:",
                RelayFormat.receiverPrompt(prompt, " Mira Tolsen lives in Varn. "));
    }

    @Test
    void knowledgePromptsHaveNoContext() {
        String prompt = "Question: What does Ann Bo work as? Answer:";
        assertEquals("Question: What does Ann Bo work as? Sentence:", RelayFormat.sharerPrompt(prompt));
        assertEquals("Context: Ann Bo works as baker. Question: What does Ann Bo work as? Answer:",
                RelayFormat.receiverPrompt(prompt, "Ann Bo works as baker."));
    }

    @Test
    void otherPromptsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> RelayFormat.sharerPrompt("Tell me a story"));
        assertThrows(IllegalArgumentException.class, () -> RelayFormat.receiverPrompt("Answer:", "x"));
        assertEquals(LinkMode.C2C, LinkMode.parse("c2c"));
        assertEquals(LinkMode.RECEIVER_ONLY, LinkMode.parse("receiver-only"));
        assertThrows(IllegalArgumentException.class, () -> LinkMode.parse("telepathy"));
    }
}
