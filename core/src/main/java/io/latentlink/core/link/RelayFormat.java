package io.latentlink.core.link;

/**
 * The text relay between the demo agents (docs/ARTIFACTS.md): the sharer is asked for one sentence instead of an
 * answer, and the receiver reads that sentence as its context.
 * <pre>
 *   prompt        [Context: ... ]Question: Q Answer:
 *   sharer reads  [Context: ... ]Question: Q Sentence:
 *   receiver reads Context: &lt;sentence&gt; Question: Q Answer:
 * </pre>
 */
public final class RelayFormat {
    static final String ANSWER_CUE = " Answer:";
    static final String SENTENCE_CUE = " Sentence:";
    static final String QUESTION_CUE = "Question: ";

    private RelayFormat() {
    }

    public static String sharerPrompt(String prompt) {
        requireRelayable(prompt);
        return prompt.substring(0, prompt.length() - ANSWER_CUE.length()) + SENTENCE_CUE;
    }

    public static String receiverPrompt(String prompt, String sentence) {
        requireRelayable(prompt);
        int q = prompt.lastIndexOf(QUESTION_CUE);
        String question = prompt.substring(q + QUESTION_CUE.length(), prompt.length() - ANSWER_CUE.length());
        return "Context: " + sentence.strip() + " " + QUESTION_CUE + question + ANSWER_CUE;
    }

    private static void requireRelayable(String prompt) {
        if (prompt == null || !prompt.endsWith(ANSWER_CUE) || prompt.lastIndexOf(QUESTION_CUE) < 0) {
            throw new IllegalArgumentException("TEXT relay needs a prompt of the form '[Context: ...] Question: ... Answer:'");
        }
    }
}
