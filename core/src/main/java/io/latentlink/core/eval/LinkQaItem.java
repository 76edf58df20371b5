package io.latentlink.core.eval;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** One LinkQA question as written by training/ into models/linkqa/*.jsonl (see docs/ARTIFACTS.md). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LinkQaItem(String id, String task, String split, String form, String prompt, String answer,
                         String attribute, String person) {

    /** Exact match after trimming spaces, as the reference evaluation scores it. */
    public boolean isCorrect(String generated) {
        return generated != null && generated.strip().equals(answer.strip());
    }
}
