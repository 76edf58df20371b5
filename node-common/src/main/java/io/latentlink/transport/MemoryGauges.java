package io.latentlink.transport;

import io.latentlink.core.tensor.KvCache;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's memory as Node.Status reports it: Java heap, off-heap NIO buffers (with core's KV caches as the part
 * that is accounted exactly) and the process's resident set, each now and at its peak since start or the last
 * {@link #resetPeaks()}.
 * <p>
 * Where a source keeps its own peak it is used (heap pools, KV caches, the kernel's VmHWM). The JVM's buffer pools
 * report only their current size, so a daemon thread samples them every {@value #SAMPLE_MILLIS} ms (one atomic read
 * per pool), and every {@link #snapshot()} samples too. ONNX Runtime allocates its arena natively, outside every
 * Java-visible pool; only the resident set sees it.
 */
@Singleton
@Startup
public class MemoryGauges {
    static final long SAMPLE_MILLIS = 10;

    /** Where the numbers come from; the real ones are the JVM's MXBeans, core's accounting and /proc. */
    interface Sources {
        long heapUsed();

        /** Sum of each heap pool's own peak. */
        long heapPeak();

        void resetHeapPeak();

        /** Direct plus mapped NIO buffers. */
        long offHeapUsed();

        long kvCacheBytes();

        long kvCachePeak();

        void resetKvCachePeak();

        /** VmRSS and VmHWM in bytes, or -1 where unknown. */
        long rss();

        long rssPeak();

        /** Restarts VmHWM; false where the kernel does not allow it. */
        boolean resetRssPeak();
    }

    /** One reading; peaks since start or the last reset. */
    public record Snapshot(long heapUsed, long heapPeak, long offHeapUsed, long offHeapPeak, long kvCacheBytes,
                           long kvCachePeak, long rss, long rssPeak, boolean rssPeakSinceReset) {
    }

    private final Sources sources;
    private final AtomicLong offHeapPeak = new AtomicLong();
    private final ScheduledExecutorService sampler;
    private volatile boolean rssPeakSinceReset;

    public MemoryGauges() {
        this(new JvmSources(), true);
    }

    MemoryGauges(Sources sources, boolean sampleInBackground) {
        this.sources = sources;
        sample();
        if (sampleInBackground) {
            sampler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "latentlink-memory-sampler");
                t.setDaemon(true);
                return t;
            });
            sampler.scheduleAtFixedRate(this::sample, SAMPLE_MILLIS, SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            sampler = null;
        }
    }

    /** Folds the current off-heap size into its peak. */
    void sample() {
        offHeapPeak.accumulateAndGet(sources.offHeapUsed(), Math::max);
    }

    public Snapshot snapshot() {
        long heapUsed = sources.heapUsed();
        long offHeap = sources.offHeapUsed();
        offHeapPeak.accumulateAndGet(offHeap, Math::max);
        long kv = sources.kvCacheBytes();
        long rss = sources.rss();
        // Each peak is read after its current value, so it is never below it (peaks only grow between resets).
        return new Snapshot(heapUsed, Math.max(heapUsed, sources.heapPeak()), offHeap, offHeapPeak.get(), kv,
                Math.max(kv, sources.kvCachePeak()), Math.max(0, rss), Math.max(Math.max(0, rss), sources.rssPeak()),
                rssPeakSinceReset);
    }

    /** Starts every peak again from the current value. */
    public void resetPeaks() {
        sources.resetHeapPeak();
        sources.resetKvCachePeak();
        offHeapPeak.set(sources.offHeapUsed());
        rssPeakSinceReset = sources.resetRssPeak();
    }

    @PreDestroy
    void stop() {
        if (sampler != null) {
            sampler.shutdownNow();
        }
    }

    /** The JVM's MXBeans, core's KV accounting and Linux's /proc/self. */
    static final class JvmSources implements Sources {
        private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP && p.isValid()).toList();
        private final List<BufferPoolMXBean> bufferPools = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)
                .stream().filter(p -> p.getName().equals("direct") || p.getName().equals("mapped")).toList();
        private final Path status;
        private final Path clearRefs;

        JvmSources() {
            this(Path.of("/proc/self/status"), Path.of("/proc/self/clear_refs"));
        }

        JvmSources(Path status, Path clearRefs) {
            this.status = status;
            this.clearRefs = clearRefs;
        }

        @Override
        public long heapUsed() {
            long sum = 0;
            for (MemoryPoolMXBean p : heapPools) {
                sum += p.getUsage().getUsed();
            }
            return sum;
        }

        @Override
        public long heapPeak() {
            long sum = 0;
            for (MemoryPoolMXBean p : heapPools) {
                sum += p.getPeakUsage().getUsed();
            }
            return sum;
        }

        @Override
        public void resetHeapPeak() {
            heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
        }

        @Override
        public long offHeapUsed() {
            long sum = 0;
            for (BufferPoolMXBean p : bufferPools) {
                sum += p.getMemoryUsed();
            }
            return sum;
        }

        @Override
        public long kvCacheBytes() {
            return KvCache.totalBytesHeld();
        }

        @Override
        public long kvCachePeak() {
            return KvCache.peakBytesHeld();
        }

        @Override
        public void resetKvCachePeak() {
            KvCache.resetPeakBytesHeld();
        }

        @Override
        public long rss() {
            return procStatusBytes("VmRSS");
        }

        @Override
        public long rssPeak() {
            return procStatusBytes("VmHWM");
        }

        @Override
        public boolean resetRssPeak() {
            try {
                // "5" resets the peak resident set size (proc(5), Linux >= 4.0); containers may refuse the write.
                Files.writeString(clearRefs, "5");
                return true;
            } catch (IOException | SecurityException | UnsupportedOperationException e) {
                return false;
            }
        }

        private long procStatusBytes(String key) {
            try {
                return parseStatusKb(Files.readString(status), key);
            } catch (IOException | SecurityException e) {
                return -1;
            }
        }
    }

    /** The value of a {@code Key:   1234 kB} line of /proc/PID/status in bytes, or -1 if absent. */
    static long parseStatusKb(String status, String key) {
        for (String line : status.split("\n")) {
            if (line.startsWith(key + ":")) {
                String[] f = line.substring(key.length() + 1).trim().split("\\s+");
                try {
                    long v = Long.parseLong(f[0]);
                    return f.length > 1 && f[1].equalsIgnoreCase("kB") ? v * 1024 : v;
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }
}
