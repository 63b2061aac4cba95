package dev.sluice.server.grpc;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The writing side of a server stream, shared by many writer threads: writes are serialized and
 * each waits until the transport is ready (gRPC flow control), so the server never queues
 * responses for a client that does not read. Once the call is over (completed, failed or
 * cancelled by the client) every write returns false at once.
 *
 * A request handler (the stream's onNext) must not wait for the transport: gRPC runs the call's
 * onReady on the same serialized executor, after the handler returns, so the wait would never
 * end. Handlers answer with {@link #reply}, which does not wait, and then call {@link
 * #requestDone}. The stream reads requests one at a time (manual inbound flow control): after a
 * reply the next request is read only once the transport is ready, so a client that sends
 * requests without reading the answers makes the server hold at most one of them.
 */
final class FlowControlledWriter<T> {
    private final ServerCallStreamObserver<T> out;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition writable = lock.newCondition();
    private boolean done; // guarded by lock
    private boolean replied; // guarded by lock: a reply to the current request was written
    private boolean requestPending; // guarded by lock: the next request waits for the transport

    /**
     * Call from the service method, before it returns the request observer.
     *
     * @param onCancel runs when the client cancels the call (after writes have been stopped)
     */
    FlowControlledWriter(ServerCallStreamObserver<T> out, Runnable onCancel) {
        this.out = out;
        out.disableAutoRequest();
        out.request(1);
        out.setOnReadyHandler(this::signal);
        out.setOnCancelHandler(() -> {
            abandon();
            onCancel.run();
        });
    }

    /** Writes one response once the transport is ready; false if the call is over. */
    boolean send(T response) {
        lock.lock();
        try {
            while (!done && !out.isReady()) {
                writable.awaitUninterruptibly(); // onReady, cancellation or the end of the call signals
            }
            if (done) {
                return false;
            }
            out.onNext(response);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Writes one response from a request handler without waiting; false if the call is over. */
    boolean reply(T response) {
        lock.lock();
        try {
            if (done) {
                return false;
            }
            out.onNext(response);
            replied = true;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The handler is done with the current request: read the next one, once replies can flow. */
    void requestDone() {
        lock.lock();
        try {
            if (done) {
                return;
            }
            if (!replied || out.isReady()) {
                replied = false;
                out.request(1);
            } else {
                requestPending = true; // onReady asks for it
            }
        } finally {
            lock.unlock();
        }
    }

    /** Ends the call successfully, unless it is over already. */
    void complete() {
        lock.lock();
        try {
            if (!done) {
                done = true;
                out.onCompleted();
            }
            writable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Ends the call with {@code status}, unless it is over already. */
    void fail(Status status) {
        lock.lock();
        try {
            if (!done) {
                done = true;
                out.onError(status.asRuntimeException());
            }
            writable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The call ended without us (the client went away): stop writing. */
    void abandon() {
        lock.lock();
        try {
            done = true;
            writable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean isDone() {
        lock.lock();
        try {
            return done;
        } finally {
            lock.unlock();
        }
    }

    private void signal() {
        lock.lock();
        try {
            if (requestPending && !done && out.isReady()) {
                requestPending = false;
                replied = false;
                out.request(1);
            }
            writable.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
