package io.latentlink.transport;

import io.grpc.Status;
import io.grpc.stub.CallStreamObserver;
import io.latentlink.core.wire.CreditWindow;
import java.util.concurrent.TimeUnit;

/**
 * The producing end of a credit-flow-controlled stream. KV chunks go out only while the peer has granted credits
 * and the transport reports it is ready (grpc-java's isReady/onReady, as in its manualflowcontrol example); control
 * messages (credits, summaries) go out at once. All writes are serialised, as grpc-java requires.
 *
 * <p>Construct it where grpc-java allows setting the onReady handler: in the service method for server calls, in
 * {@code beforeStart} for client calls.
 */
public final class CreditedWriter<T> {

    private final CallStreamObserver<T> out;
    private final CreditWindow credits = new CreditWindow();
    private boolean finished;
    private long chunksSent;

    public CreditedWriter(CallStreamObserver<T> out) {
        this.out = out;
        out.setOnReadyHandler(credits::signal);
    }

    public void grant(long n) {
        credits.grant(n);
    }

    /**
     * Sends one credited message, waiting for a credit and transport readiness.
     *
     * @return false if the stream was closed (cancelled, failed) or the wait timed out
     */
    public boolean sendChunk(T message, long timeout, TimeUnit unit) throws InterruptedException {
        if (!credits.acquire(out::isReady, timeout, unit)) {
            return false;
        }
        synchronized (this) {
            if (finished) {
                return false;
            }
            out.onNext(message);
            chunksSent++;
            return true;
        }
    }

    /** Sends a message that needs no credit (credits, summaries); false if the stream is already finished. */
    public synchronized boolean sendControl(T message) {
        if (finished) {
            return false;
        }
        out.onNext(message);
        return true;
    }

    public synchronized void complete() {
        if (!finished) {
            finished = true;
            credits.close();
            out.onCompleted();
        }
    }

    public synchronized void fail(Status status) {
        if (!finished) {
            finished = true;
            credits.close();
            out.onError(status.asRuntimeException());
        }
    }

    /** The peer went away: stop waiting for credits, write nothing more. */
    public synchronized void abandon() {
        finished = true;
        credits.close();
    }

    public synchronized boolean isFinished() {
        return finished;
    }

    public synchronized long chunksSent() {
        return chunksSent;
    }

    public long creditsAvailable() {
        return credits.available();
    }
}
