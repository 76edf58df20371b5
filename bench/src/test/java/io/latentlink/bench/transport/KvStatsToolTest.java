package io.latentlink.bench.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.latentlink.engine.KvStats;
import org.junit.jupiter.api.Test;

class KvStatsToolTest {

    @Test
    void summarisesChannelStdsIntoALogNormalAndOutliers() {
        // 8 ordinary channels at e^-1 and e^-1 * e^{+-0.5}, 2 outliers at 10x the median.
        double m = Math.exp(-1);
        double[] std = {m, m, m, m, m * Math.exp(0.5), m * Math.exp(-0.5), m * Math.exp(0.5), m * Math.exp(-0.5),
                10 * m, 10 * m};
        double[] mean = new double[std.length];
        mean[0] = 2 * m;
        KvStats.Entry e = KvStatsTool.summarize(3, 1, std, mean, 4.0);
        assertEquals(3, e.layer());
        assertEquals(1, e.kind());
        assertEquals(m, e.medianStd(), 1e-12);
        assertEquals(0.2, e.outlierFraction(), 1e-12);
        assertEquals(10.0, e.outlierRatio(), 1e-9);
        assertEquals(-1.0, e.logStdMean(), 1e-9);
        assertEquals(Math.sqrt(4 * 0.25 / 8), e.logStdSd(), 1e-9);
        assertEquals(Math.sqrt(4.0 / 10), e.channelMeanSd(), 1e-9);
    }
}
