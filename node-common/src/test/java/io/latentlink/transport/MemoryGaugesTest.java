package io.latentlink.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryGaugesTest {

    /** Settable stand-ins for the JVM's numbers. */
    static final class FakeSources implements MemoryGauges.Sources {
        long heap = 100;
        long heapPeak = 150;
        long offHeap = 1_000;
        long kv = 400;
        long kvPeak = 400;
        long rss = 10_000;
        long rssPeak = 12_000;
        boolean rssResets = true;
        int heapResets;

        @Override public long heapUsed() { return heap; }
        @Override public long heapPeak() { return heapPeak; }
        @Override public void resetHeapPeak() { heapResets++; heapPeak = heap; }
        @Override public long offHeapUsed() { return offHeap; }
        @Override public long kvCacheBytes() { return kv; }
        @Override public long kvCachePeak() { return kvPeak; }
        @Override public void resetKvCachePeak() { kvPeak = kv; }
        @Override public long rss() { return rss; }
        @Override public long rssPeak() { return rssPeak; }
        @Override public boolean resetRssPeak() {
            if (rssResets) {
                rssPeak = rss;
            }
            return rssResets;
        }
    }

    @Test
    void theOffHeapPeakIsTheLargestSampleAndRestartsFromTheCurrentValue() {
        FakeSources src = new FakeSources();
        MemoryGauges g = new MemoryGauges(src, false);
        src.offHeap = 5_000;
        g.sample();
        src.offHeap = 2_000;
        g.sample();
        MemoryGauges.Snapshot s = g.snapshot();
        assertEquals(2_000, s.offHeapUsed());
        assertEquals(5_000, s.offHeapPeak(), "a sampled spike stays in the peak");

        g.resetPeaks();
        s = g.snapshot();
        assertEquals(2_000, s.offHeapPeak(), "reset starts from what is held now");
        assertEquals(1, src.heapResets);
    }

    @Test
    void aSnapshotSamplesItselfSoTheCurrentValueIsNeverAboveThePeak() {
        FakeSources src = new FakeSources();
        MemoryGauges g = new MemoryGauges(src, false);
        src.offHeap = 9_000;
        MemoryGauges.Snapshot s = g.snapshot();
        assertEquals(9_000, s.offHeapUsed());
        assertEquals(9_000, s.offHeapPeak());
    }

    @Test
    void peaksReportedBySourcesAreUsedAndClampedToTheCurrentValue() {
        FakeSources src = new FakeSources();
        MemoryGauges g = new MemoryGauges(src, false);
        src.kv = 700; // allocated since the source last updated its peak
        src.heap = 300;
        MemoryGauges.Snapshot s = g.snapshot();
        assertEquals(300, s.heapUsed());
        assertEquals(300, s.heapPeak());
        assertEquals(700, s.kvCacheBytes());
        assertEquals(700, s.kvCachePeak());
        assertEquals(10_000, s.rss());
        assertEquals(12_000, s.rssPeak());
        assertFalse(s.rssPeakSinceReset(), "no reset yet: the peak counts from process start");
    }

    @Test
    void theRssPeakSaysWhetherItCountsFromTheLastReset() {
        FakeSources src = new FakeSources();
        MemoryGauges g = new MemoryGauges(src, false);
        g.resetPeaks();
        assertTrue(g.snapshot().rssPeakSinceReset());
        assertEquals(10_000, g.snapshot().rssPeak());

        src.rssResets = false;
        src.rssPeak = 20_000;
        g.resetPeaks();
        MemoryGauges.Snapshot s = g.snapshot();
        assertFalse(s.rssPeakSinceReset());
        assertEquals(20_000, s.rssPeak());
    }

    @Test
    void unknownRssReadsAsZero() {
        FakeSources src = new FakeSources();
        src.rss = -1;
        src.rssPeak = -1;
        MemoryGauges.Snapshot s = new MemoryGauges(src, false).snapshot();
        assertEquals(0, s.rss());
        assertEquals(0, s.rssPeak());
    }

    @Test
    void procStatusLinesAreReadInBytes() {
        String status = "Name:\tjava\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t42\n";
        assertEquals(204_800L * 1024, MemoryGauges.parseStatusKb(status, "VmHWM"));
        assertEquals(102_400L * 1024, MemoryGauges.parseStatusKb(status, "VmRSS"));
        assertEquals(42, MemoryGauges.parseStatusKb(status, "Threads"));
        assertEquals(-1, MemoryGauges.parseStatusKb(status, "VmSwap"));
        assertEquals(-1, MemoryGauges.parseStatusKb("VmRSS:\tlots kB\n", "VmRSS"));
    }

    @Test
    void theJvmSourcesSeeADirectBufferAndTheHeap() {
        MemoryGauges.JvmSources jvm = new MemoryGauges.JvmSources();
        MemoryGauges g = new MemoryGauges(jvm, false);
        long before = g.snapshot().offHeapUsed();
        ByteBuffer held = ByteBuffer.allocateDirect(8 << 20);
        MemoryGauges.Snapshot s = g.snapshot();
        assertTrue(s.offHeapUsed() >= before + held.capacity(), s.toString());
        assertTrue(s.offHeapPeak() >= s.offHeapUsed(), s.toString());
        assertTrue(s.heapUsed() > 0 && s.heapPeak() >= s.heapUsed(), s.toString());
        assertTrue(s.heapPeak() <= Runtime.getRuntime().maxMemory() * 3, "pool peaks sum to about the heap: " + s);
        assertTrue(s.kvCachePeak() >= s.kvCacheBytes(), s.toString());
        if (Files.isReadable(Path.of("/proc/self/status"))) {
            assertTrue(s.rss() > s.heapUsed() / 2 && s.rssPeak() >= s.rss(), s.toString());
        }
        assertEquals(8 << 20, held.capacity());
    }

    @Test
    void aKernelThatRefusesTheRssResetIsReportedNotThrown(@TempDir Path dir) {
        MemoryGauges.JvmSources jvm = new MemoryGauges.JvmSources(dir.resolve("status"), dir.resolve("no/such/clear_refs"));
        assertFalse(jvm.resetRssPeak());
        assertEquals(-1, jvm.rss());
    }
}
