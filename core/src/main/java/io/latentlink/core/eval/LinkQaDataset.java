package io.latentlink.core.eval;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a LinkQA split file: one JSON object per line. */
public final class LinkQaDataset {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LinkQaDataset() {
    }

    public static List<LinkQaItem> read(Path jsonl) {
        List<LinkQaItem> items = new ArrayList<>();
        try {
            List<String> lines = Files.readAllLines(jsonl);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty()) {
                    continue;
                }
                LinkQaItem item;
                try {
                    item = JSON.readValue(line, LinkQaItem.class);
                } catch (IOException e) {
                    throw new IllegalArgumentException(jsonl + ":" + (i + 1) + ": not a LinkQA item: " + e.getMessage(), e);
                }
                if (item.prompt() == null || item.answer() == null) {
                    throw new IllegalArgumentException(jsonl + ":" + (i + 1) + ": LinkQA item needs 'prompt' and 'answer'");
                }
                items.add(item);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read LinkQA split " + jsonl, e);
        }
        return items;
    }
}
