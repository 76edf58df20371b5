package io.latentlink.core.tensor;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Allocation of direct buffers with process-wide accounting and prompt release.
 *
 * <p>Direct buffers are normally released only when the GC notices them; a server holding many caches must not wait
 * for that, so {@link #free} runs the buffer's cleaner at once (through {@code sun.misc.Unsafe.invokeCleaner}, which
 * the JDK keeps for exactly this). If that is unavailable the bytes still leave the account and the GC frees them.
 * Callers guarantee that a freed buffer is never touched again; {@link KvCache} does so with view generations.
 */
final class OffHeap {
    private static final AtomicLong HELD = new AtomicLong();
    private static final AtomicLong PEAK = new AtomicLong();
    private static final MethodHandle INVOKE_CLEANER = findCleaner();

    private OffHeap() {
    }

    static ByteBuffer allocate(long bytes) {
        if (bytes < 0 || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cannot allocate " + bytes + " bytes in one direct buffer (max 2 GiB)");
        }
        ByteBuffer buffer = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
        PEAK.accumulateAndGet(HELD.addAndGet(bytes), Math::max);
        return buffer;
    }

    static void free(ByteBuffer buffer) {
        HELD.addAndGet(-buffer.capacity());
        if (INVOKE_CLEANER != null) {
            try {
                INVOKE_CLEANER.invoke(buffer);
            } catch (Throwable ignored) {
                // The GC will release it; the account is already right.
            }
        }
    }

    static long held() {
        return HELD.get();
    }

    static long peak() {
        return PEAK.get();
    }

    /** Starts a new peak measurement from what is held now. */
    static void resetPeak() {
        PEAK.set(HELD.get());
    }

    private static MethodHandle findCleaner() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field field = unsafeClass.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            Object unsafe = field.get(null);
            return MethodHandles.lookup()
                    .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(unsafe);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
