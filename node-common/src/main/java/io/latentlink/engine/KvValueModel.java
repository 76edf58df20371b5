package io.latentlink.engine;

import io.latentlink.core.wire.KvBlock;
import io.latentlink.core.wire.KvGeometry;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Synthetic KV whose values look like a real model's: every (layer, key/value, kv head, channel) gets its own scale,
 * drawn from measured {@link KvStats} (log-normal spread of channel stds, a share of outlier channels several times
 * larger, non-zero channel means), for any geometry. The layers of the target geometry map onto the measured
 * model's layers by relative depth.
 *
 * <p>Generation must cost far less than moving the KV, or a transport benchmark would measure this class: a pool of
 * {@code poolRows} per-token rows is drawn once per (layer, kind), and position {@code p} of token {@code id} copies
 * the row that a hash of {@code (layer, p, id)} picks. Deterministic per seed.
 */
public final class KvValueModel {

    public static final int DEFAULT_POOL_ROWS = 256;

    private final KvGeometry geometry;
    private final KvStats stats;
    private final long seed;
    private final int poolRows;
    private final int channels;
    /** [layer][kind]: poolRows rows of kvHeads * headSize values, head-major within a row. */
    private final float[][][] pool;
    private final float[][][] channelStd;
    private final float[][][] channelMean;

    private KvValueModel(KvGeometry geometry, KvStats stats, long seed, int poolRows) {
        if (poolRows <= 0) {
            throw new IllegalArgumentException("poolRows must be positive: " + poolRows);
        }
        this.geometry = geometry;
        this.stats = stats;
        this.seed = seed;
        this.poolRows = poolRows;
        this.channels = geometry.kvHeads() * geometry.headSize();
        this.pool = new float[geometry.layers()][2][];
        this.channelStd = new float[geometry.layers()][2][];
        this.channelMean = new float[geometry.layers()][2][];
        for (int l = 0; l < geometry.layers(); l++) {
            for (int kind = 0; kind < 2; kind++) {
                draw(l, kind, stats.entry(sourceLayer(l), kind));
            }
        }
    }

    public static KvValueModel of(KvGeometry geometry, KvStats stats, long seed, int poolRows) {
        return new KvValueModel(geometry, stats, seed, poolRows);
    }

    public KvGeometry geometry() {
        return geometry;
    }

    public KvStats stats() {
        return stats;
    }

    public long seed() {
        return seed;
    }

    public int poolRows() {
        return poolRows;
    }

    /** The measured layer whose statistics target layer {@code layer} uses: same relative depth. */
    public int sourceLayer(int layer) {
        return (int) ((long) layer * stats.layers() / geometry.layers());
    }

    /** The std drawn for channel {@code head * headSize + dim} of (layer, kind); kind 0 = key, 1 = value. */
    public float channelStd(int layer, int kind, int channel) {
        return channelStd[layer][kind][channel];
    }

    public float channelMean(int layer, int kind, int channel) {
        return channelMean[layer][kind][channel];
    }

    private void draw(int layer, int kind, KvStats.Entry e) {
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + layer * 2L + kind);
        float[] std = new float[channels];
        float[] mean = new float[channels];
        double outlierFloor = e.outlierThreshold() * e.medianStd();
        for (int c = 0; c < channels; c++) {
            double s;
            if (rnd.nextDouble() < e.outlierFraction()) {
                // Outliers spread a little around their measured mean ratio but stay above the threshold.
                s = Math.max(e.medianStd() * e.outlierRatio() * Math.exp(0.1 * rnd.nextGaussian()),
                        outlierFloor * 1.05);
            } else {
                s = Math.exp(e.logStdMean() + e.logStdSd() * rnd.nextGaussian());
                for (int tries = 0; s > outlierFloor && tries < 32; tries++) {
                    s = Math.exp(e.logStdMean() + e.logStdSd() * rnd.nextGaussian());
                }
                s = Math.min(s, outlierFloor);
            }
            std[c] = (float) s;
            mean[c] = (float) (e.medianStd() * e.channelMeanSd() * rnd.nextGaussian());
        }
        float[] rows = new float[poolRows * channels];
        for (int r = 0, i = 0; r < poolRows; r++) {
            for (int c = 0; c < channels; c++, i++) {
                rows[i] = (float) (mean[c] + std[c] * rnd.nextGaussian());
            }
        }
        pool[layer][kind] = rows;
        channelStd[layer][kind] = std;
        channelMean[layer][kind] = mean;
    }

    /** The pool row position {@code position} of token {@code tokenId} copies in {@code layer}. */
    int row(int layer, int position, int tokenId) {
        long h = seed ^ (layer * 0x9E3779B97F4A7C15L) ^ (position * 0xC2B2AE3D27D4EB4FL) ^ (tokenId * 0x165667B19E3779F9L);
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return (int) Math.floorMod(h, (long) poolRows);
    }

    /** The block for positions [start, end) of the given ids, holding only {@code layers}. */
    public KvBlock block(int[] ids, int start, int end, List<Integer> layers) {
        int t = end - start;
        int hs = geometry.headSize();
        float[][] keys = new float[geometry.layers()][];
        float[][] values = new float[geometry.layers()][];
        for (int l : layers) {
            float[] k = new float[geometry.kvHeads() * t * hs];
            float[] v = new float[k.length];
            float[] kPool = pool[l][0];
            float[] vPool = pool[l][1];
            for (int p = start; p < end; p++) {
                int from = row(l, p, ids[p]) * channels;
                int to = (p - start) * hs;
                for (int h = 0; h < geometry.kvHeads(); h++, from += hs, to += t * hs) {
                    System.arraycopy(kPool, from, k, to, hs);
                    System.arraycopy(vPool, from, v, to, hs);
                }
            }
            keys[l] = k;
            values[l] = v;
        }
        return new KvBlock(geometry, start, end, keys, values);
    }
}
