package io.latentlink.bench.scaling;

import io.latentlink.core.eval.LinkQaItem;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * Long LinkQA prompts built from the test split itself: the question's own passage first, then whole script-form
 * passages of the following test items until the sharer's token budget is full, then the question, in the split's
 * format {@code Context: <passages> Question: <question> Answer:}. The answer sits in the first passage, as far
 * from the question as the prompt allows. Passages of items about the same person (by the plain form's text) are
 * skipped so a filler can never answer the question differently.
 */
public final class LongContextPrompts {
    static final String CONTEXT = "Context: ";
    static final String QUESTION = " Question: ";
    static final String ANSWER = " Answer:";

    /** A built prompt: the question it asks, its text, and how many passages it holds. */
    public record Prompt(LinkQaItem item, String text, int passages, int sharerTokens) {
    }

    private final List<LinkQaItem> script;
    private final Map<String, String> plainById;
    private final ToIntFunction<String> sharerTokens;

    /**
     * @param items        the LinkQA context split, both forms ({@code -script} and {@code -plain} ids)
     * @param sharerTokens the sharer's prompt length in tokens, BOS included, as its node counts it
     */
    public LongContextPrompts(List<LinkQaItem> items, ToIntFunction<String> sharerTokens) {
        this.script = items.stream().filter(i -> "script".equals(i.form())).toList();
        this.plainById = new LinkedHashMap<>();
        items.stream().filter(i -> "plain".equals(i.form())).forEach(i -> plainById.put(stem(i.id()), passage(i.prompt())));
        this.sharerTokens = sharerTokens;
        if (script.isEmpty()) {
            throw new IllegalArgumentException("no script-form items to build prompts from");
        }
    }

    /** The first {@code n} script items whose own prompt fits {@code budget} sharer tokens: the questions asked. */
    public List<LinkQaItem> questions(int n, int budget) {
        List<LinkQaItem> fit = script.stream().filter(i -> sharerTokens.applyAsInt(i.prompt()) <= budget).limit(n).toList();
        if (fit.size() < n) {
            throw new IllegalArgumentException("only " + fit.size() + " script items fit " + budget
                    + " sharer tokens; need " + n + " (raise the shortest length or lower the requests per point)");
        }
        return fit;
    }

    /** The prompt for {@code item} filled up to at most {@code budget} sharer tokens with following passages. */
    public Prompt build(LinkQaItem item, int budget) {
        String question = question(item.prompt());
        List<String> passages = new ArrayList<>(List.of(passage(item.prompt())));
        String text = render(passages, question);
        if (sharerTokens.applyAsInt(text) > budget) {
            throw new IllegalArgumentException(item.id() + " alone is " + sharerTokens.applyAsInt(text)
                    + " sharer tokens, over the budget of " + budget);
        }
        int start = script.indexOf(item);
        for (int k = 1; k < script.size(); k++) {
            LinkQaItem filler = script.get((start + k) % script.size());
            if (mentions(filler, item.person())) {
                continue;
            }
            passages.add(passage(filler.prompt()));
            String longer = render(passages, question);
            if (sharerTokens.applyAsInt(longer) <= budget) {
                text = longer;
            } else {
                // Too long: try the next, shorter passages until none fits.
                passages.remove(passages.size() - 1);
            }
        }
        return new Prompt(item, text, passages.size(), sharerTokens.applyAsInt(text));
    }

    private boolean mentions(LinkQaItem filler, String person) {
        String plain = plainById.get(stem(filler.id()));
        return person != null && plain != null && plain.contains(person);
    }

    static String render(List<String> passages, String question) {
        return CONTEXT + String.join(" ", passages) + QUESTION + question + ANSWER;
    }

    /** The text between {@code Context: } and {@code  Question: }. */
    static String passage(String prompt) {
        int q = prompt.lastIndexOf(QUESTION);
        if (!prompt.startsWith(CONTEXT) || q < 0 || !prompt.endsWith(ANSWER)) {
            throw new IllegalArgumentException("not a 'Context: ... Question: ... Answer:' prompt: " + prompt);
        }
        return prompt.substring(CONTEXT.length(), q).strip();
    }

    static String question(String prompt) {
        passage(prompt);
        int q = prompt.lastIndexOf(QUESTION);
        return prompt.substring(q + QUESTION.length(), prompt.length() - ANSWER.length()).strip();
    }

    private static String stem(String id) {
        int dash = id.lastIndexOf('-');
        return dash < 0 ? id : id.substring(0, dash);
    }
}
