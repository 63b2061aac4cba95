package dev.sluice.server.grpc;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A call that another thread may end: a token's revocation ({@link AuthInterceptor}) or the
 * client-memory bound ({@link ClientBuffers}). gRPC's ServerCall is not thread-safe, so close and
 * sendMessage are serialized by a lock; once ended from elsewhere, the service's own writes and
 * close are dropped and isReady/isCancelled say the call is over. Pair it with
 * {@link #listener}, so that the service sees such a call as cancelled and lets go of it.
 */
final class ClosableCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
    private final ReentrantLock lock = new ReentrantLock();
    private boolean closed; // guarded by lock
    private volatile boolean ended;

    ClosableCall(ServerCall<Q, R> delegate) {
        super(delegate);
    }

    /** Closes the call with {@code status} unless it is closed already; true if it did. */
    boolean end(Status status) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            ended = true;
            super.close(status, new Metadata());
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@link #end} closed it. */
    boolean ended() {
        return ended;
    }

    @Override
    public void sendMessage(R message) {
        lock.lock();
        try {
            if (!closed) {
                super.sendMessage(message);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close(Status status, Metadata trailers) {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                super.close(status, trailers);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isReady() {
        return !ended && super.isReady();
    }

    @Override
    public boolean isCancelled() {
        return ended || super.isCancelled();
    }

    /**
     * The service's listener for {@code call}: {@code onEnd} runs once the call is over, however
     * it ended, and a call ended by {@link #end} reaches the service as a cancellation.
     */
    static <Q> ServerCall.Listener<Q> listener(ServerCall.Listener<Q> service, ClosableCall<Q, ?> call, Runnable onEnd) {
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(service) {
            @Override
            public void onComplete() {
                onEnd.run();
                if (call.ended()) {
                    super.onCancel(); // the service lets go of the call as if the client had cancelled
                } else {
                    super.onComplete();
                }
            }

            @Override
            public void onCancel() {
                onEnd.run();
                super.onCancel();
            }
        };
    }
}
