package io.latentlink.core.cli;

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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate LinkQA splits in-process (both models and the fuser in this JVM) and write accuracy and latency per mode as JSON.")
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--models", defaultValue = "models", description = "folder with rx/, sx/, fuser-rx-sx/, linkqa/ (default ${DEFAULT-VALUE})")
    Path models;
    @Option(names = "--receiver", defaultValue = "rx")
    String receiverId;
    @Option(names = "--sharer", defaultValue = "sx")
    String sharerId;
    @Option(names = "--fuser", defaultValue = "fuser-rx-sx")
    String fuserId;
    @Option(names = "--modes", split = ",", defaultValue = "RECEIVER_ONLY,SHARER_ONLY,TEXT,C2C",
            description = "modes to run (default ${DEFAULT-VALUE})")
    List<String> modes;
    @Option(names = "--splits", split = ",", defaultValue = "context_script,context_plain,knowledge",
            description = "context_script, context_plain, knowledge (default ${DEFAULT-VALUE})")
    List<String> splits;
    @Option(names = "--limit", defaultValue = "0", description = "first N questions of each split, 0 = all")
    int limit;
    @Option(names = "--max-tokens", defaultValue = "16")
    int maxTokens;
    @Option(names = "--chunk", defaultValue = "64", description = "prefill chunk size")
    int chunk;
    @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime intra-op threads, 0 = ORT default")
    int threads;
    @Option(names = "--out", description = "JSON file to write (default: print only)")
    Path out;
    @Option(names = "--reference", description = "REFERENCE.json to compare with (default: <models>/REFERENCE.json if present)")
    Path reference;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public Integer call() throws IOException {
        SessionConfig config = threads > 0 ? SessionConfig.cpu(threads) : SessionConfig.defaults();
        List<LinkMode> wanted = modes.stream().map(LinkMode::parse).toList();
        boolean needsFuser = wanted.contains(LinkMode.C2C);
        Map<String, Map<String, ModeResult>> results = new LinkedHashMap<>();
        try (LinkModel receiver = LinkModel.open(models.resolve(receiverId), config);
             LinkModel sharer = LinkModel.open(models.resolve(sharerId), config);
             FuserRunner fuser = needsFuser ? FuserRunner.load(models.resolve(fuserId)) : null) {
            InProcessLink link = new InProcessLink(receiver, sharer, fuser, chunk);
            for (String splitName : splits) {
                List<LinkQaItem> items = LinkQaEvaluation.split(models.resolve("linkqa"), splitName);
                if (limit > 0 && items.size() > limit) {
                    items = items.subList(0, limit);
                }
                Map<String, ModeResult> perMode = new LinkedHashMap<>();
                for (LinkMode mode : wanted) {
                    ModeResult r = LinkQaEvaluation.evaluate(link, items, mode, maxTokens);
                    perMode.put(mode.name(), r);
                    System.err.printf("%-15s %-14s accuracy %.4f (n=%d)  p50 %.1f ms  p95 %.1f ms%n",
                            splitName, mode, r.accuracy(), r.n(), r.p50Ms(), r.p95Ms());
                }
                results.put(splitName, perMode);
            }
        }
        String json = JSON.writeValueAsString(results);
        System.out.println(json);
        if (out != null) {
            if (out.toAbsolutePath().getParent() != null) {
                Files.createDirectories(out.toAbsolutePath().getParent());
            }
            Files.writeString(out, json + "\n");
        }
        compareWithReference(results);
        return 0;
    }

    private void compareWithReference(Map<String, Map<String, ModeResult>> results) throws IOException {
        Path ref = reference != null ? reference : models.resolve("REFERENCE.json");
        if (!Files.isRegularFile(ref)) {
            return;
        }
        JsonNode root = JSON.readTree(ref.toFile());
        System.err.println("against " + ref + ":");
        results.forEach((split, perMode) -> perMode.forEach((mode, r) -> {
            JsonNode expected = root.path(split).path(LinkQaEvaluation.referenceKey(LinkMode.valueOf(mode)));
            if (expected.path("accuracy").isNumber()) {
                double delta = 100 * (r.accuracy() - expected.path("accuracy").asDouble());
                System.err.printf("  %-15s %-14s java %.2f%% (n=%d)  reference %.2f%% (n=%d)  delta %+.2f points%n", split, mode,
                        100 * r.accuracy(), r.n(), 100 * expected.path("accuracy").asDouble(), expected.path("n").asInt(), delta);
            }
        }));
    }
}
