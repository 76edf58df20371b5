package io.latentlink.bench.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed reads from a results file's JSON that name the offending field when it is missing or of the wrong type, so
 * a bad file is reported as "transport.json: runs[2].tokens: expected a number" rather than as a wrong plot.
 * Unknown fields are ignored: the benchmarks may add what they like.
 */
final class Fields {
    private Fields() {
    }

    static JsonNode object(JsonNode parent, String field, String where) {
        JsonNode n = parent.get(field);
        if (n == null || !n.isObject()) {
            throw new MalformedResultException(where + "." + field + ": expected an object, found " + describe(n));
        }
        return n;
    }

    /** A required array; its elements are returned with their own location, e.g. {@code runs[3]}. */
    static List<Located> array(JsonNode parent, String field, String where) {
        JsonNode n = parent.get(field);
        if (n == null || !n.isArray()) {
            throw new MalformedResultException(where + "." + field + ": expected an array, found " + describe(n));
        }
        return elements(n, where + "." + field);
    }

    /** An optional array: empty when absent or null. */
    static List<Located> optionalArray(JsonNode parent, String field, String where) {
        JsonNode n = parent.get(field);
        return n == null || n.isNull() ? List.of() : array(parent, field, where);
    }

    private static List<Located> elements(JsonNode array, String where) {
        List<Located> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode e = array.get(i);
            String at = where + "[" + i + "]";
            if (!e.isObject()) {
                throw new MalformedResultException(at + ": expected an object, found " + describe(e));
            }
            out.add(new Located(e, at));
        }
        return out;
    }

    static double number(JsonNode parent, String field, String where) {
        JsonNode n = parent.get(field);
        if (n == null || !isNumber(n)) {
            throw new MalformedResultException(where + "." + field + ": expected a number, found " + describe(n));
        }
        return n.asDouble();
    }

    /** NaN when absent or null; a value of another type is still an error. */
    static double optionalNumber(JsonNode parent, String field, String where) {
        JsonNode n = parent.get(field);
        return n == null || n.isNull() ? Double.NaN : number(parent, field, where);
    }

    static long integer(JsonNode parent, String field, String where) {
        JsonNode n = parent.get(field);
        if (n == null || !n.isIntegralNumber()) {
            throw new MalformedResultException(where + "." + field + ": expected an integer, found " + describe(n));
        }
        return n.asLong();
    }

    static long optionalInteger(JsonNode parent, String field, String where, long otherwise) {
        JsonNode n = parent.get(field);
        return n == null || n.isNull() ? otherwise : integer(parent, field, where);
    }

    static String text(JsonNode parent, String field, String where) {
        JsonNode n = parent.get(field);
        if (n == null || !n.isTextual()) {
            throw new MalformedResultException(where + "." + field + ": expected a string, found " + describe(n));
        }
        return n.asText();
    }

    static String optionalText(JsonNode parent, String field, String where, String otherwise) {
        JsonNode n = parent.get(field);
        return n == null || n.isNull() ? otherwise : text(parent, field, where);
    }

    /** A free-form field (string or object) as one line: strings as they are, anything else as compact JSON. */
    static String anyAsText(JsonNode parent, String field, String otherwise) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return otherwise;
        }
        return n.isTextual() ? n.asText() : n.toString();
    }

    /** A {"node": bytes, ...} object in file order; empty when absent or null. */
    static Map<String, Double> numberMap(JsonNode parent, String field, String where) {
        JsonNode n = parent.get(field);
        Map<String, Double> out = new LinkedHashMap<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isObject()) {
            throw new MalformedResultException(where + "." + field + ": expected an object of numbers, found " + describe(n));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull()) {
                continue;
            }
            out.put(e.getKey(), number(n, e.getKey(), where + "." + field));
        }
        return out;
    }

    /** Codec parameters as "k=v, ..." in file order, "" when none. */
    static String params(JsonNode parent, String field, String where) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return "";
        }
        if (!n.isObject()) {
            throw new MalformedResultException(where + "." + field + ": expected an object, found " + describe(n));
        }
        StringBuilder sb = new StringBuilder();
        n.fields().forEachRemaining(e -> sb.append(sb.isEmpty() ? "" : ", ").append(e.getKey()).append('=')
                .append(e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
        return sb.toString();
    }

    private static boolean isNumber(JsonNode n) {
        // Jackson writes NaN and infinities as strings by default; they are numbers that were not measured.
        return n.isNumber() || n.isTextual() && (n.asText().equals("NaN") || n.asText().endsWith("Infinity"));
    }

    static String describe(JsonNode n) {
        if (n == null) {
            return "nothing";
        }
        return switch (n.getNodeType()) {
            case STRING -> "the string \"" + abbreviate(n.asText()) + "\"";
            case NULL -> "null";
            default -> n.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + abbreviate(n.toString());
        };
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    /** A JSON object and where it sits in its file, for messages. */
    record Located(JsonNode node, String where) {
    }
}
