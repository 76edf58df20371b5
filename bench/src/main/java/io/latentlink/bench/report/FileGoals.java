package io.latentlink.bench.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The "goals" array a benchmark may write itself: {"goal", "measured", "met": true|false|null}. */
record FileGoals(List<Goal> goals) {
    static FileGoals parse(JsonNode root, String fileName) {
        return new FileGoals(Fields.optionalArray(root, "goals", fileName).stream().map(g -> {
            JsonNode met = g.node().get("met");
            if (met != null && !met.isNull() && !met.isBoolean()) {
                throw new MalformedResultException(g.where() + ".met: expected true, false or null, found " + Fields.describe(met));
            }
            return new Goal(Fields.text(g.node(), "goal", g.where()), fileName,
                    Fields.anyAsText(g.node(), "measured", "-"), met == null || met.isNull() ? null : met.asBoolean());
        }).toList());
    }

    /** The file's own verdict on a goal whose text mentions every one of {@code words} (case-insensitive). */
    Optional<Goal> find(String... words) {
        return goals.stream().filter(g -> {
            String text = g.goal().toLowerCase(Locale.ROOT);
            for (String w : words) {
                if (!text.contains(w.toLowerCase(Locale.ROOT))) {
                    return false;
                }
            }
            return true;
        }).findFirst();
    }
}
