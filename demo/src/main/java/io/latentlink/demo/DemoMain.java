package io.latentlink.demo;

import io.grpc.StatusRuntimeException;
import io.latentlink.core.eval.LinkQaDataset;
import io.latentlink.core.eval.LinkQaItem;
import io.latentlink.core.eval.ModeResult;
import io.latentlink.proto.v1.GenerateRequest;
import io.latentlink.proto.v1.GenerateResponse;
import io.latentlink.proto.v1.GenerateStats;
import io.latentlink.proto.v1.GenerationSettings;
import io.latentlink.proto.v1.Mode;
import io.latentlink.proto.v1.ReceiverGrpc;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The main job: the three nodes as separate JVMs on loopback with the bundled demo models, LinkQA-context questions
 * from the test split (in the script only the sharer reads) asked in every mode, answers printed against the truth.
 * <p>
 * Usage: {@code DemoMain [--questions N] [--codec fp16|fp32|int8|int8z] [--repo DIR]}
 */
public final class DemoMain {
    private static final List<Mode> MODES = List.of(Mode.RECEIVER_ONLY, Mode.TEXT, Mode.C2C);

    record Answer(String text, double millis, long wireBytes, boolean correct, String error) {
    }

    public static void main(String[] args) throws Exception {
        int questions = 8;
        String codec = "fp16";
        Path repo = Path.of("").toAbsolutePath();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--questions" -> questions = Integer.parseInt(args[++i]);
                case "--codec" -> codec = args[++i];
                case "--repo" -> repo = Path.of(args[++i]).toAbsolutePath();
                default -> {
                    System.err.println("usage: demo [--questions N] [--codec fp16|fp32|int8|int8z] [--repo DIR]");
                    System.exit(2);
                }
            }
        }
        Path models = repo.resolve("models");
        List<LinkQaItem> items = LinkQaDataset.read(models.resolve("linkqa/context-test.jsonl")).stream()
                .filter(i -> "script".equals(i.form())).limit(questions).toList();
        Path logs = repo.resolve("target/demo-logs");
        Map<String, String> common = Map.of("latentlink.models-dir", models.toString());

        System.out.println("Starting sender, projector and receiver as separate JVMs on loopback (logs: " + logs + ") ...");
        try (NodeLauncher sender = NodeLauncher.start(repo, "sender-node", common, logs);
             NodeLauncher projector = NodeLauncher.start(repo, "projector-node", common, logs)) {
            sender.awaitServing(120);
            projector.awaitServing(120);
            Map<String, String> receiverSettings = new LinkedHashMap<>(common);
            receiverSettings.put("latentlink.sender-endpoint", sender.endpoint());
            receiverSettings.put("latentlink.projector-endpoint", projector.endpoint());
            try (NodeLauncher receiver = NodeLauncher.start(repo, "receiver-node", receiverSettings, logs)) {
                receiver.awaitServing(120);
                System.out.printf("sender %s, projector %s, receiver %s; codec %s%n%n", sender.endpoint(),
                        projector.endpoint(), receiver.endpoint(), codec);
                run(receiver, items, codec);
            }
        }
        System.out.println("\nAll nodes stopped.");
    }

    private static void run(NodeLauncher receiver, List<LinkQaItem> items, String codec) {
        ReceiverGrpc.ReceiverBlockingStub stub = ReceiverGrpc.newBlockingStub(receiver.channel);
        // One warm-up call per mode so JIT and session start-up do not land on the first question.
        for (Mode mode : MODES) {
            ask(stub, items.get(0), mode, codec);
        }
        Map<Mode, List<Answer>> answers = new LinkedHashMap<>();
        MODES.forEach(m -> answers.put(m, new ArrayList<>()));
        System.out.println("LinkQA-context, test split, passage in the sharer's script; the receiver cannot read it.");
        System.out.printf("%-3s %-44s %-12s | %-22s | %-22s | %-22s%n", "#", "question", "truth",
                "RECEIVER_ONLY", "TEXT", "C2C");
        for (int q = 0; q < items.size(); q++) {
            LinkQaItem item = items.get(q);
            StringBuilder line = new StringBuilder(String.format("%-3d %-44s %-12s", q + 1, cut(questionOf(item), 44), cut(item.answer(), 12)));
            for (Mode mode : MODES) {
                Answer a = ask(stub, item, mode, codec);
                answers.get(mode).add(a);
                String shown = a.error() != null ? "ERROR " + a.error() : (a.correct() ? "✓ " : "✗ ") + a.text();
                line.append(String.format(" | %-13s %6.0fms", cut(shown, 13), a.millis()));
            }
            System.out.println(line);
        }
        System.out.printf("%n%-14s %9s %9s %9s %16s%n", "mode", "accuracy", "p50 ms", "p95 ms", "wire bytes/req");
        for (Mode mode : MODES) {
            List<Answer> list = answers.get(mode);
            int correct = (int) list.stream().filter(Answer::correct).count();
            ModeResult r = ModeResult.of(correct, list.stream().mapToDouble(Answer::millis).toArray());
            long bytes = (long) list.stream().mapToLong(Answer::wireBytes).average().orElse(0);
            System.out.printf("%-14s %8.1f%% %9.1f %9.1f %16d%n", mode, 100 * r.accuracy(), r.p50Ms(), r.p95Ms(), bytes);
        }
    }

    private static Answer ask(ReceiverGrpc.ReceiverBlockingStub stub, LinkQaItem item, Mode mode, String codec) {
        GenerateRequest request = GenerateRequest.newBuilder().setPrompt(item.prompt()).setMode(mode).setCodecId(codec)
                .setSettings(GenerationSettings.newBuilder().setMaxTokens(16)).setDeadlineMs(60_000).build();
        long start = System.nanoTime();
        try {
            Iterator<GenerateResponse> it = stub.withDeadlineAfter(90, TimeUnit.SECONDS).generate(request);
            GenerateStats stats = null;
            while (it.hasNext()) {
                GenerateResponse r = it.next();
                if (r.hasStats()) {
                    stats = r.getStats();
                }
            }
            double millis = (System.nanoTime() - start) / 1e6;
            if (stats == null) {
                return new Answer("", millis, 0, false, "no stats");
            }
            String text = stats.getText().strip();
            return new Answer(text, millis, stats.getWireBytes(), item.isCorrect(text), null);
        } catch (StatusRuntimeException e) {
            return new Answer("", (System.nanoTime() - start) / 1e6, 0, false, e.getStatus().getCode().name());
        }
    }

    private static String questionOf(LinkQaItem item) {
        String p = item.prompt();
        int q = p.lastIndexOf("Question: ");
        return q < 0 ? p : p.substring(q + "Question: ".length(), p.length() - " Answer:".length());
    }

    private static String cut(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 1) + "…";
    }

}
