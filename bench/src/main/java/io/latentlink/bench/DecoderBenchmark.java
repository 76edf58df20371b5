package io.latentlink.bench;

import io.latentlink.core.model.DecoderSession;
import io.latentlink.core.model.SessionConfig;
import io.latentlink.core.tensor.KvCache;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.SplittableRandom;

/**
 * Prefill and decode throughput of a {@link DecoderSession} on CPU. The {@code tokens} secondary metric is tokens/s.
 * <ul>
 *   <li>{@code prefill}: {@code promptTokens} tokens into an empty cache, one run.</li>
 *   <li>{@code decode}: one token per call on top of a cache holding {@code promptTokens} to
 *       {@code promptTokens + decodeWindow} tokens (it is cut back when it reaches the top).</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
public class DecoderBenchmark {

    @State(Scope.Benchmark)
    public static class Model {
        @Param({"rx", "sx"})
        public String model;
        @Param({"64"})
        public int promptTokens;
        /** Decode runs on top of promptTokens .. promptTokens + decodeWindow cached tokens. */
        @Param({"64"})
        public int decodeWindow;
        @Param({"0"})
        public int intraOpThreads;

        DecoderSession session;
        long[] prompt;

        @Setup(Level.Trial)
        public void open() {
            session = DecoderSession.open(BenchModels.resolve(model), SessionConfig.cpu(intraOpThreads));
            int vocab = session.manifest().vocabSize();
            if (promptTokens <= 0 || decodeWindow <= 0
                    || promptTokens + decodeWindow > session.manifest().contextLength()) {
                throw new IllegalArgumentException("need promptTokens > 0, decodeWindow > 0 and their sum ("
                        + (promptTokens + decodeWindow) + ") within the context length "
                        + session.manifest().contextLength());
            }
            SplittableRandom random = new SplittableRandom(1);
            prompt = new long[promptTokens];
            for (int i = 0; i < promptTokens; i++) {
                prompt[i] = random.nextInt(vocab);
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            session.close();
        }
    }

    @State(Scope.Thread)
    public static class Cache {
        KvCache cache;

        @Setup(Level.Iteration)
        public void fill(Model m) {
            cache = m.session.newCache();
            m.session.prefill(cache, m.prompt);
        }

        @TearDown(Level.Iteration)
        public void free() {
            cache.close();
        }
    }

    /** Secondary metric: tokens processed, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Tokens {
        public long tokens;

        @Setup(Level.Iteration)
        public void reset() {
            tokens = 0;
        }
    }

    @Benchmark
    public float[] prefill(Model m, Tokens t) {
        try (KvCache cache = m.session.newCache()) {
            float[] logits = m.session.prefill(cache, m.prompt);
            t.tokens += m.promptTokens;
            return logits;
        }
    }

    @Benchmark
    public float[] decode(Model m, Cache c, Tokens t) {
        if (c.cache.tokens() >= m.promptTokens + m.decodeWindow) {
            c.cache.truncate(m.promptTokens);
        }
        float[] logits = m.session.decode(c.cache, m.prompt[c.cache.tokens() % m.promptTokens]);
        t.tokens++;
        return logits;
    }
}
