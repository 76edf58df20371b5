package io.latentlink.bench.modes;

import io.latentlink.core.eval.LinkQaItem;
import io.latentlink.core.link.InProcessLink;
import io.latentlink.core.link.LinkMode;
import io.latentlink.core.link.LinkResult;
import io.latentlink.core.link.StageTimings;

import java.util.LinkedHashMap;
import java.util.Map;

/** The same question through core's {@link InProcessLink}: both models and the fuser in this JVM, no wire. */
final class InProcessClient {
    private final InProcessLink link;
    private final int maxTokens;

    InProcessClient(InProcessLink link, int maxTokens) {
        this.link = link;
        this.maxTokens = maxTokens;
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
}
