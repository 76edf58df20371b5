package io.latentlink.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.latentlink.core.eval.LinkQaEvaluation;
import io.latentlink.core.eval.LinkQaItem;
import io.latentlink.core.eval.ModeResult;
import io.latentlink.core.fusion.FuserRunner;
import io.latentlink.core.link.InProcessLink;
import io.latentlink.core.link.LinkMode;
import io.latentlink.core.link.LinkModel;
import io.latentlink.core.model.SessionConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * core's in-process modes reproduce the PyTorch reference evaluation (models/REFERENCE.json) within one point, for
 * every split and mode the reference reports, on the same questions (the first n of each split). Results go to
 * target/reference-parity.json.
 */
class ReferenceParityIT {
    private static final double TOLERANCE_POINTS = 1.0;

    @Test
    void inProcessAccuraciesMatchTheReference() throws Exception {
        Path models = Path.of(System.getProperty("latentlink.models.dir", "../models"));
        Path referenceFile = models.resolve("REFERENCE.json");
        assumeTrue(Files.isRegularFile(referenceFile) && Files.isRegularFile(models.resolve("fuser-rx-sx/fuser.json")),
                "no REFERENCE.json or fuser in " + models);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        JsonNode reference = json.readTree(referenceFile.toFile());
        Map<String, Object> report = new LinkedHashMap<>();
        List<String> misses = new ArrayList<>();
        try (LinkModel rx = LinkModel.open(models.resolve("rx"), SessionConfig.cpu(1));
             LinkModel sx = LinkModel.open(models.resolve("sx"), SessionConfig.cpu(1));
             FuserRunner fuser = FuserRunner.load(models.resolve("fuser-rx-sx"))) {
            InProcessLink link = new InProcessLink(rx, sx, fuser, 32);
            for (String split : LinkQaEvaluation.SPLITS) {
                List<LinkQaItem> items = LinkQaEvaluation.split(models.resolve("linkqa"), split);
                Map<String, Object> row = new LinkedHashMap<>();
                for (LinkMode mode : LinkMode.values()) {
                    JsonNode expected = reference.path(split).path(LinkQaEvaluation.referenceKey(mode));
                    if (!expected.path("accuracy").isNumber()) {
                        continue;
                    }
                    int n = expected.path("n").asInt(items.size());
                    assertTrue(n <= items.size(), split + ": reference n=" + n + " but the split has " + items.size());
                    ModeResult got = LinkQaEvaluation.evaluate(link, items.subList(0, n), mode, 16);
                    double delta = 100 * (got.accuracy() - expected.path("accuracy").asDouble());
                    row.put(mode.name(), Map.of("java", got.accuracy(), "reference", expected.path("accuracy").asDouble(),
                            "n", n, "delta_points", delta));
                    if (Math.abs(delta) > TOLERANCE_POINTS) {
                        misses.add(split + " " + mode + ": java " + got.accuracy() + " vs reference "
                                + expected.path("accuracy").asDouble() + " (n=" + n + ")");
                    }
                }
                report.put(split, row);
            }
        }
        String text = json.writeValueAsString(report);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/reference-parity.json"), text + "\n");
        System.out.println("In-process accuracies against models/REFERENCE.json:\n" + text);
        assertTrue(misses.isEmpty(), "more than " + TOLERANCE_POINTS + " point off the reference: " + misses);
    }
}
