package io.latentlink.bench;

import io.latentlink.core.tensor.KvCache;
import io.latentlink.core.tensor.KvLayout;
import io.latentlink.core.tensor.KvSlice;
import io.latentlink.core.tensor.KvView;
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

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * KV cache data movement; the {@code bytes} secondary metric is bytes/s of K+V payload moved (divide by 1e9 for GB/s).
 * <ul>
 *   <li>{@code appendChunk}: append {@code chunk} tokens to every layer (a receiver taking a wire chunk); the cache is
 *       emptied when full.</li>
 *   <li>{@code appendToken}: append one token to every layer of a cache holding 256..512 tokens (decode-style; the
 *       in-place head spreading is what it measures).</li>
 *   <li>{@code sliceCopy}: copy a {@code chunk}-token slice of all layers out of a 512-token cache into a packed buffer
 *       (a sender cutting a wire chunk; strided views, one copy).</li>
 *   <li>{@code sliceView}: the same slice as views only (what costs nothing).</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@State(Scope.Thread)
public class KvCacheBenchmark {
    @Param({"24"})
    public int layers;
    @Param({"2"})
    public int kvHeads;
    @Param({"64"})
    public int headDim;
    @Param({"64"})
    public int chunk;

    private KvLayout layout;
    private KvCache growing;
    private KvCache decoding;
    private KvCache full;
    private List<KvView> chunkK;
    private List<KvView> chunkV;
    private List<KvView> tokenK;
    private List<KvView> tokenV;
    private FloatBuffer out;
    private int sliceAt;

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        public long bytes;

        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        layout = new KvLayout(layers, kvHeads, headDim);
        chunkK = views(chunk, 1f);
        chunkV = views(chunk, 2f);
        tokenK = views(1, 3f);
        tokenV = views(1, 4f);
        growing = KvCache.allocate(layout, 512, 512);
        decoding = KvCache.allocate(layout, 512, 512);
        fillTo(decoding, 256);
        full = KvCache.allocate(layout, 512, 512);
        fillTo(full, 512);
        out = ByteBuffer.allocateDirect((int) (layout.bytesPerToken() * chunk)).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        growing.close();
        decoding.close();
        full.close();
    }

    @Benchmark
    public int appendChunk(Bytes b) {
        if (growing.tokens() + chunk > growing.maxTokens()) {
            growing.truncate(0);
        }
        growing.appendAll(chunkK, chunkV);
        b.bytes += layout.bytesPerToken() * chunk;
        return growing.tokens();
    }

    @Benchmark
    public int appendToken(Bytes b) {
        if (decoding.tokens() >= decoding.maxTokens()) {
            decoding.truncate(256);
        }
        decoding.appendAll(tokenK, tokenV);
        b.bytes += layout.bytesPerToken();
        return decoding.tokens();
    }

    @Benchmark
    public FloatBuffer sliceCopy(Bytes b) {
        sliceAt = (sliceAt + chunk) % (512 - chunk + 1);
        KvSlice s = full.slice(0, layers, sliceAt, sliceAt + chunk);
        s.copyTo(out, 0);
        b.bytes += s.byteSize();
        return out;
    }

    @Benchmark
    public KvSlice sliceView() {
        sliceAt = (sliceAt + chunk) % (512 - chunk + 1);
        return full.slice(0, layers, sliceAt, sliceAt + chunk);
    }

    private List<KvView> views(int tokens, float v) {
        List<KvView> list = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            float[] a = new float[kvHeads * tokens * headDim];
            java.util.Arrays.fill(a, v + l);
            list.add(KvView.of(a, kvHeads, tokens, headDim));
        }
        return list;
    }

    private void fillTo(KvCache c, int tokens) {
        while (c.tokens() < tokens) {
            c.appendAll(chunkK, chunkV);
        }
        c.truncate(tokens);
    }
}
