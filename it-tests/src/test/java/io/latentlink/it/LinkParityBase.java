package io.latentlink.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.latentlink.core.eval.LinkQaDataset;
import io.latentlink.core.eval.LinkQaItem;
import io.latentlink.core.fusion.FuserRunner;
import io.latentlink.core.link.InProcessLink;
import io.latentlink.core.link.LinkMode;
import io.latentlink.core.link.LinkModel;
import io.latentlink.core.link.LinkResult;
import io.latentlink.core.model.SessionConfig;
import io.latentlink.demo.NodeLauncher;
import io.latentlink.proto.v1.GenerateRequest;
import io.latentlink.proto.v1.GenerateResponse;
import io.latentlink.proto.v1.GenerateStats;
import io.latentlink.proto.v1.GenerationSettings;
import io.latentlink.proto.v1.Mode;
import io.latentlink.proto.v1.ReceiverGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The three nodes with their ONNX engines on a model set, checked against core's in-process reference: for LinkQA
 * prompts, each mode answers over gRPC exactly what {@link InProcessLink} answers in one JVM (fp32 on the wire, so
 * the transport is lossless and the answers must be identical).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LinkParityBase {

    /** Folder holding rx/, sx/, fuser-rx-sx/ and linkqa/context-test.jsonl; the test is skipped if they are absent. */
    abstract Path models() throws Exception;

    abstract List<Mode> modes();

    private static final int PREFILL_CHUNK = 32;
    private static final int MAX_TOKENS = 16;
    private static final int QUESTIONS = 6;

    private Path models;
    NodeLauncher sender;
    NodeLauncher projector;
    NodeLauncher receiver;
    private LinkModel rx;
    private LinkModel sx;
    private FuserRunner fuser;
    private InProcessLink reference;

    @BeforeAll
    void start() throws Exception {
        models = models();
        assumeTrue(Files.isRegularFile(models.resolve("rx/model.onnx"))
                        && Files.isRegularFile(models.resolve("sx/model.onnx"))
                        && Files.isRegularFile(models.resolve("fuser-rx-sx/fuser.json"))
                        && Files.isRegularFile(models.resolve("linkqa/context-test.jsonl")),
                "demo models not in " + models + " yet");
        Map<String, String> common = Map.of("latentlink.models-dir", models.toString(), "latentlink.codec", "fp32",
                "latentlink.chunk-tokens", String.valueOf(PREFILL_CHUNK));
        sender = ItNodes.start("sender", "sender-onnx", common);
        projector = ItNodes.start("projector", "projector-onnx", common);
        Map<String, String> rxSettings = new java.util.HashMap<>(common);
        rxSettings.put("latentlink.projector-endpoint", projector.endpoint());
        rxSettings.put("latentlink.sender-endpoint", sender.endpoint());
        receiver = ItNodes.start("receiver", "receiver-onnx", rxSettings);
        rx = LinkModel.open(models.resolve("rx"), SessionConfig.defaults());
        sx = LinkModel.open(models.resolve("sx"), SessionConfig.defaults());
        fuser = FuserRunner.load(models.resolve("fuser-rx-sx"));
        reference = new InProcessLink(rx, sx, fuser, PREFILL_CHUNK);
        for (NodeLauncher n : List.of(sender, projector, receiver)) {
            n.awaitServing(120);
        }
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {sender, projector, receiver, fuser, sx, rx}) {
            if (c != null) {
                c.close();
            }
        }
    }

    GenerateStats networked(String prompt, Mode mode, String codec) {
        GenerateStats stats = null;
        StringBuilder streamed = new StringBuilder();
        Iterator<GenerateResponse> it = ReceiverGrpc.newBlockingStub(receiver.channel)
                .withDeadlineAfter(120, TimeUnit.SECONDS)
                .generate(GenerateRequest.newBuilder().setPrompt(prompt).setMode(mode).setCodecId(codec)
                        .setSettings(GenerationSettings.newBuilder().setMaxTokens(MAX_TOKENS)).build());
        while (it.hasNext()) {
            GenerateResponse r = it.next();
            if (r.hasToken()) {
                streamed.append(r.getToken().getText());
            } else {
                stats = r.getStats();
            }
        }
        assertFalse(stats == null, "no stats");
        assertEquals(stats.getText(), streamed.toString().strip(), "streamed tokens spell the final text");
        return stats;
    }

    @Test
    void concurrentQuestionsGetTheSameAnswersAsAlone() throws Exception {
        List<LinkQaItem> items = questions().subList(0, Math.min(QUESTIONS, questions().size()));
        var pool = java.util.concurrent.Executors.newFixedThreadPool(items.size());
        try {
            List<java.util.concurrent.Future<String>> answers = new java.util.ArrayList<>();
            for (LinkQaItem item : items) {
                answers.add(pool.submit(() -> networked(item.prompt(), Mode.C2C, "fp32").getText()));
            }
            for (int i = 0; i < items.size(); i++) {
                LinkResult expected = reference.answer(items.get(i).prompt(), LinkMode.C2C, MAX_TOKENS);
                assertEquals(expected.text(), answers.get(i).get(120, TimeUnit.SECONDS), items.get(i).id());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    InProcessLink reference() {
        return reference;
    }

    List<LinkQaItem> questions() {
        return LinkQaDataset.read(models.resolve("linkqa/context-test.jsonl"));
    }

    @Test
    void everyModeAnswersWhatTheInProcessReferenceAnswers() {
        List<LinkQaItem> items = questions();
        for (LinkQaItem item : items.subList(0, Math.min(QUESTIONS, items.size()))) {
            for (Mode mode : modes()) {
                LinkResult expected = reference.answer(item.prompt(), LinkMode.valueOf(mode.name()), MAX_TOKENS);
                GenerateStats got = networked(item.prompt(), mode, "fp32");
                assertFalse(got.getFallback(), got.getFallbackReason());
                assertEquals(expected.text(), got.getText(), mode + " answer to " + item.id());
                if (mode == Mode.C2C) {
                    assertEquals(expected.fusedLayers().length, got.getLayersFused(), "fused layers");
                }
            }
        }
    }
}
