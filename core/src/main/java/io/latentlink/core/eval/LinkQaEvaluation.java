package io.latentlink.core.eval;

import io.latentlink.core.link.InProcessLink;
import io.latentlink.core.link.LinkMode;
import io.latentlink.core.link.LinkResult;

import java.nio.file.Path;
import java.util.List;

/** Runs LinkQA splits through the in-process modes, scored as the PyTorch reference scores them. */
public final class LinkQaEvaluation {
    /** The splits REFERENCE.json reports, by the names it uses. */
    public static final List<String> SPLITS = List.of("context_script", "context_plain", "knowledge");

    private LinkQaEvaluation() {
    }

    /** A test split by name: context_script and context_plain are the two forms of context-test.jsonl. */
    public static List<LinkQaItem> split(Path linkqa, String name) {
        return switch (name) {
            case "context_script" -> LinkQaDataset.read(linkqa.resolve("context-test.jsonl")).stream().filter(i -> "script".equals(i.form())).toList();
            case "context_plain" -> LinkQaDataset.read(linkqa.resolve("context-test.jsonl")).stream().filter(i -> "plain".equals(i.form())).toList();
            case "knowledge" -> LinkQaDataset.read(linkqa.resolve("knowledge-test.jsonl"));
            default -> throw new IllegalArgumentException("unknown split '" + name + "' (known: " + SPLITS + ")");
        };
    }

    /** The key of a mode in REFERENCE.json. */
    public static String referenceKey(LinkMode mode) {
        return switch (mode) {
            case RECEIVER_ONLY -> "receiver";
            case SHARER_ONLY -> "sharer";
            case TEXT -> "text";
            case C2C -> "c2c";
        };
    }

    public static ModeResult evaluate(InProcessLink link, List<LinkQaItem> items, LinkMode mode, int maxTokens) {
        int correct = 0;
        double[] latencies = new double[items.size()];
        for (int i = 0; i < items.size(); i++) {
            LinkQaItem item = items.get(i);
            LinkResult r = link.answer(item.prompt(), mode, maxTokens);
            latencies[i] = r.timings().totalMillis();
            if (item.isCorrect(r.text())) {
                correct++;
            }
        }
        return ModeResult.of(correct, latencies);
    }
}
