package io.latentlink.core.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Random;

/**
 * Synthetic KV blocks shaped like real ones: Gaussian values, a few outlier channels per head that are an order of
 * magnitude larger for every token (as RoPE'd keys have), and an occasional outlier token (an attention sink).
 */
final class KvTestData {

    private KvTestData() {
    }

    /**
     * @param channelOutlierScale magnitude multiplier of the outlier channels (1 = none)
     * @param tokenOutlierScale   magnitude multiplier of token 0 (1 = none)
     */
    static float[] block(KvBlockShape shape, long seed, float channelOutlierScale, float tokenOutlierScale) {
        Random random = new Random(seed);
        int hd = shape.headDim();
        float[] x = new float[shape.elements()];
        for (int h = 0; h < shape.heads(); h++) {
            boolean[] outlier = new boolean[hd];
            for (int k = 0; k < Math.max(1, hd / 16); k++) {
                outlier[random.nextInt(hd)] = true;
            }
            float[] channelGain = new float[hd];
            for (int d = 0; d < hd; d++) {
                channelGain[d] = (float) (0.5 + random.nextDouble()) * (outlier[d] ? channelOutlierScale : 1f);
            }
            for (int t = 0; t < shape.tokens(); t++) {
                float tokenGain = t == 0 ? tokenOutlierScale : 1f;
                for (int d = 0; d < hd; d++) {
                    x[(h * shape.tokens() + t) * hd + d] = (float) random.nextGaussian() * channelGain[d] * tokenGain;
                }
            }
        }
        return x;
    }

    static FloatBuffer direct(float[] values) {
        FloatBuffer b = ByteBuffer.allocateDirect(values.length * Float.BYTES).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        b.put(0, values);
        return b;
    }

    static float[] toArray(FloatBuffer b, int offset, int length) {
        float[] out = new float[length];
        b.get(offset, out, 0, length);
        return out;
    }
}
