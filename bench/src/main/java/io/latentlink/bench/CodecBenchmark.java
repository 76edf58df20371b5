package io.latentlink.bench;

import io.latentlink.bench.codec.CodecData;
import io.latentlink.bench.codec.CodecSpecs;
import io.latentlink.core.codec.CodecRegistry;
import io.latentlink.core.codec.KvBlockShape;
import io.latentlink.core.codec.KvCodec;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;

/**
 * KV codec speed, one thread: {@code encode} and {@code decode} of one block, direct buffers as the nodes' caches
 * are. The {@code bytes} secondary metric is fp32 bytes/s of KV in or out (divide by 1e9 for GB/s per core).
 * <ul>
 *   <li>{@code codec}: {@code id} or {@code id:key=value,...}, e.g. {@code int8:scales=per_channel}.</li>
 *   <li>{@code data}: {@code synthetic-HxTxD} or {@code rx-K}, {@code sx-V}, ...: one real 32-token wire chunk of the
 *       demo model's keys or values, all layers as one block (see {@link CodecData}).</li>
 * </ul>
 * {@code bench/run-codec-jmh.sh} runs it and writes {@code bench/results/codecs.json}.
 */
@BenchmarkMode(Mode.Throughput)
@State(Scope.Thread)
public class CodecBenchmark {
    @Param({"fp16", "int8", "int8z"})
    public String codec;
    @Param({"synthetic-8x256x128"})
    public String data;

    private KvCodec kv;
    private KvBlockShape shape;
    private FloatBuffer src;
    private FloatBuffer out;
    private ByteBuffer wire;
    private int written;

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
        kv = CodecRegistry.standard().get(CodecSpecs.parse(codec));
        CodecData.Block block = CodecData.block(data, Path.of(System.getProperty("latentlink.models.dir", "models")));
        shape = block.shape();
        src = ByteBuffer.allocateDirect(shape.fp32Bytes()).order(ByteOrder.nativeOrder()).asFloatBuffer();
        src.put(0, block.values());
        out = ByteBuffer.allocateDirect(shape.fp32Bytes()).order(ByteOrder.nativeOrder()).asFloatBuffer();
        wire = ByteBuffer.allocateDirect(kv.encodedSize(shape));
        written = kv.encode(src, shape, wire);
    }

    @Benchmark
    public int encode(Bytes counter) {
        wire.clear();
        int n = kv.encode(src, shape, wire);
        counter.bytes += shape.fp32Bytes();
        return n;
    }

    @Benchmark
    public FloatBuffer decode(Bytes counter) {
        wire.limit(written).position(0);
        kv.decode(wire, shape, out);
        counter.bytes += shape.fp32Bytes();
        return out;
    }
}
