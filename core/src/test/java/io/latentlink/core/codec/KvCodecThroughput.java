package io.latentlink.core.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Single-thread encode/decode throughput of every standard codec on direct buffers, in GB/s of fp32 data
 * (not a unit test: timings do not belong in the test suite). Run after {@code ./mvnw -pl core test-compile}:
 * <pre>
 * java -cp core/target/classes:core/target/test-classes io.latentlink.core.codec.KvCodecThroughput [seconds]
 * </pre>
 */
public final class KvCodecThroughput {

    private static final CodecSpec[] SPECS = {
        CodecSpec.of("fp32"), CodecSpec.of("fp16"),
        CodecSpec.of("int8", "scale_type", "fp32"), CodecSpec.of("int8"),
        CodecSpec.of("int8", "scales", "per_channel"),
        CodecSpec.of("int8z"), CodecSpec.of("int8z", "scales", "per_channel")};

    private KvCodecThroughput() {
    }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        KvBlockShape[] shapes = {new KvBlockShape(8, 256, 128), new KvBlockShape(2, 1024, 32)};
        System.out.printf("%-46s %-16s %10s %10s %8s%n", "codec", "block", "enc GB/s", "dec GB/s", "ratio");
        for (KvBlockShape shape : shapes) {
            float[] values = KvTestData.block(shape, 1, 10f, 3f);
            FloatBuffer src = KvTestData.direct(values);
            FloatBuffer out = ByteBuffer.allocateDirect(shape.fp32Bytes()).order(ByteOrder.nativeOrder()).asFloatBuffer();
            for (CodecSpec spec : SPECS) {
                KvCodec codec = CodecRegistry.standard().get(spec);
                ByteBuffer wire = ByteBuffer.allocateDirect(codec.encodedSize(shape));
                int[] written = new int[1];
                Runnable encode = () -> {
                    wire.clear();
                    written[0] = codec.encode(src, shape, wire);
                };
                Runnable decode = () -> {
                    wire.position(0).limit(written[0]);
                    codec.decode(wire, shape, out);
                };
                encode.run();
                double enc = gbPerSecond(encode, shape.fp32Bytes(), seconds);
                double dec = gbPerSecond(decode, shape.fp32Bytes(), seconds);
                System.out.printf("%-46s %-16s %10.2f %10.2f %8.2f%n", codec.spec(), shape, enc, dec,
                        (double) shape.fp32Bytes() / written[0]);
            }
        }
    }

    private static double gbPerSecond(Runnable op, long bytesPerOp, double seconds) {
        long warmupEnd = System.nanoTime() + (long) (seconds * 0.5e9);
        while (System.nanoTime() < warmupEnd) {
            op.run();
        }
        long ops = 0;
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long now;
        do {
            for (int i = 0; i < 8; i++) {
                op.run();
            }
            ops += 8;
            now = System.nanoTime();
        } while (now < end);
        return ops * bytesPerOp / ((now - start) / 1e9) / 1e9;
    }
}
