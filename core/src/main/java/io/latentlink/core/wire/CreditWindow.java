package io.latentlink.core.wire;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Producer side of credit flow control: the consumer grants credits, the producer takes one per chunk and waits
 * when it has none. {@link #close()} wakes waiters for good (cancellation, end of stream).
 *
 * <p>An extra readiness condition (e.g. the transport's own isReady) can gate sending too; call {@link #signal()}
 * when it may have changed.
 */
public final class CreditWindow implements AutoCloseable {

    /** More outstanding credits than this is a broken or hostile peer, not a big window. */
    public static final long MAX_OUTSTANDING = 1L << 20;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long credits;
    private long granted;
    private boolean closed;

    public void grant(long n) {
        if (n <= 0) {
            throw new WireException(WireException.Kind.PROTOCOL, "credit grant must be positive, got " + n);
        }
        lock.lock();
        try {
            if (credits + n > MAX_OUTSTANDING) {
                throw new WireException(WireException.Kind.PROTOCOL,
                        "credit window would exceed " + MAX_OUTSTANDING + " chunks");
            }
            credits += n;
            granted += n;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until a credit is available and {@code ready} holds, then takes the credit.
     *
     * @return false if the window was closed or the wait timed out
     */
    public boolean acquire(BooleanSupplier ready, long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lock();
        try {
            while (!closed && (credits == 0 || !ready.getAsBoolean())) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = changed.awaitNanos(nanos);
            }
            if (closed) {
                return false;
            }
            credits--;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Wakes waiters to re-check the readiness condition. */
    public void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public long available() {
        lock.lock();
        try {
            return credits;
        } finally {
            lock.unlock();
        }
    }

    public long totalGranted() {
        lock.lock();
        try {
            return granted;
        } finally {
            lock.unlock();
        }
    }

    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
