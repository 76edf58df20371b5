package io.latentlink.bench.modes;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.latentlink.core.eval.LinkQaItem;
import io.latentlink.core.fusion.FuserRunner;
import io.latentlink.core.link.InProcessLink;
import io.latentlink.core.link.LinkMode;
import io.latentlink.core.link.LinkModel;
import io.latentlink.core.link.LinkResult;
import io.latentlink.core.link.StageTimings;
import io.latentlink.core.model.SessionConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The same question through core's {@link InProcessLink}: both models and the fuser in this JVM, no wire. */
final class InProcessClient implements AutoCloseable {
    private final LinkModel receiver;
    private final LinkModel sharer;
    private final FuserRunner fuser;
    private final InProcessLink link;
    private final int maxTokens;

    private InProcessClient(LinkModel receiver, LinkModel sharer, FuserRunner fuser, int chunkTokens, int maxTokens) {
        this.receiver = receiver;
        this.sharer = sharer;
        this.fuser = fuser;
        this.link = new InProcessLink(receiver, sharer, fuser, chunkTokens);
        this.maxTokens = maxTokens;
    }

    /**
     * Opens rx, sx and fuser-rx-sx from {@code models}.
     *
     * @param intraOpThreads ONNX Runtime intra-op threads for every session; 0 = ORT's default, as the nodes run
     */
    static InProcessClient open(Path models, int intraOpThreads, int chunkTokens, int maxTokens) throws IOException, OrtException {
        SessionConfig config = intraOpThreads == 0 ? SessionConfig.defaults() : SessionConfig.cpu(intraOpThreads);
        LinkModel receiver = LinkModel.open(models.resolve("rx"), config);
        LinkModel sharer = null;
        try (OrtSession.SessionOptions fuserOptions = new OrtSession.SessionOptions()) {
            sharer = LinkModel.open(models.resolve("sx"), config);
            if (intraOpThreads > 0) {
                fuserOptions.setIntraOpNumThreads(intraOpThreads);
                fuserOptions.setInterOpNumThreads(1);
            }
            FuserRunner fuser = FuserRunner.load(models.resolve("fuser-rx-sx"), fuserOptions);
            return new InProcessClient(receiver, sharer, fuser, chunkTokens, maxTokens);
        } catch (IOException | OrtException | RuntimeException e) {
            receiver.close();
            if (sharer != null) {
                sharer.close();
            }
            throw e;
        }
    }

    String receiverSha256() {
        return receiver.modelSha256();
    }

    String sharerSha256() {
        return sharer.modelSha256();
    }

    ModeSample ask(LinkQaItem item, LinkMode mode) {
        long start = System.nanoTime();
        long[] firstToken = {-1};
        try {
            LinkResult r = link.answer(item.prompt(), mode, maxTokens, (index, tokenId) -> {
                if (index == 0) {
                    firstToken[0] = System.nanoTime();
                }
                return true;
            });
            double millis = (System.nanoTime() - start) / 1e6;
            double first = firstToken[0] < 0 ? Double.NaN : (firstToken[0] - start) / 1e6;
            return new ModeSample(item.isCorrect(r.text()), r.text(), millis, first, 0, 0, stages(r.timings()), null);
        } catch (RuntimeException e) {
            return ModeSample.failed((System.nanoTime() - start) / 1e6, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static Map<String, Double> stages(StageTimings t) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("tokenize", t.tokenizeNanos() / 1e6);
        m.put("sharer", t.sharerNanos() / 1e6);
        m.put("prefill", t.prefillNanos() / 1e6);
        m.put("fuse", t.fuseNanos() / 1e6);
        m.put("decode", t.decodeNanos() / 1e6);
        return m;
    }

    @Override
    public void close() {
        try {
            fuser.close();
        } finally {
            try {
                sharer.close();
            } finally {
                receiver.close();
            }
        }
    }
}
