package io.latentlink.bench.report;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * One benchmark's results file as found in the results folder: present (parsed), missing, or malformed (with the
 * reason). The common header (date, commit, machine, command) is read leniently: modes.json predates the schema.
 */
public record ResultFile(String fileName, State state, JsonNode root, String problem) {
    public enum State { PRESENT, MISSING, MALFORMED }

    static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    public static ResultFile load(Path dir, String fileName) {
        Path file = dir.resolve(fileName);
        if (!Files.isRegularFile(file)) {
            return new ResultFile(fileName, State.MISSING, null, null);
        }
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (root == null || !root.isObject()) {
                return malformed(fileName, "the top level is not a JSON object");
            }
            return new ResultFile(fileName, State.PRESENT, root, null);
        } catch (IOException e) {
            return malformed(fileName, "not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    public static ResultFile malformed(String fileName, String why) {
        return new ResultFile(fileName, State.MALFORMED, null, why);
    }

    public boolean present() {
        return state == State.PRESENT;
    }

    /** Why it gives no numbers, for "not measured" cells: "transport.json missing" or "... malformed". */
    public String absence() {
        return fileName + (state == State.MISSING ? " missing" : " malformed");
    }

    public String date() {
        return Fields.anyAsText(root, "date", "-");
    }

    public String commit() {
        return Fields.anyAsText(root, "commit", "-");
    }

    public String command() {
        return Fields.anyAsText(root, "command", "-");
    }

    /** The schema's machine string, or modes.json's machine object in a line. */
    public String machine() {
        JsonNode m = root.get("machine");
        if (m == null || m.isNull()) {
            return "-";
        }
        if (m.isTextual()) {
            return m.asText();
        }
        if (m.isObject()) {
            StringBuilder sb = new StringBuilder();
            for (Map.Entry<String, JsonNode> e : m.properties()) {
                sb.append(sb.isEmpty() ? "" : "; ").append(e.getKey()).append(' ')
                        .append(e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
            }
            return sb.toString();
        }
        return m.toString();
    }
}
