package dev.sluice.server.grpc;

import dev.sluice.server.storage.Durability;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the answers of write calls until what they changed is durable (durable mode): a publish,
 * ack, nack, queue or topic change, or cache write is answered only once its journal record is
 * on disk under the fsync policy. The service makes the change and answers at once; this wraps
 * the call, so each answer (headers, messages, close) waits for a mark taken when it was sent,
 * and answers leave in the order they were sent. If the change cannot be written, the call ends
 * with RESOURCE_EXHAUSTED (disk full) or UNAVAILABLE instead: the client must treat the change
 * as unknown, never as done.
 *
 * <p>Reads (Get, Receive, Watch, stats, lists) pass untouched. In memory mode this interceptor
 * is not installed.
 */
final class DurableAnswers implements ServerInterceptor {
    private static final Logger log = LoggerFactory.getLogger(DurableAnswers.class);

    /** Bare method names of the calls that change state. */
    static final Set<String> WRITES = Set.of(
            "CreateQueue", "PurgeQueue", "DeleteQueue", "Publish", "PublishStream", "Ack", "Nack", "Subscribe",
            "CreateTopic", "DeleteTopic", "Bind", "Unbind",
            "Set", "Delete", "Increment", "Touch", "SetMany", "DeleteMany");

    private final Durability durability;

    DurableAnswers(Durability durability) {
        this.durability = durability;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        if (!WRITES.contains(call.getMethodDescriptor().getBareMethodName())) {
            return next.startCall(call, headers);
        }
        return next.startCall(new Held<>(call, durability), headers);
    }

    /** One call whose answers wait for durability, in order. */
    private static final class Held<Q, R> extends SimpleForwardingServerCall<Q, R> {
        private record Answer(long mark, Runnable send) {}

        private final Durability durability;
        private final ReentrantLock lock = new ReentrantLock();
        private final ArrayDeque<Answer> waiting = new ArrayDeque<>(); // guarded by lock
        private boolean failed;                                         // guarded by lock

        Held(ServerCall<Q, R> call, Durability durability) {
            super(call);
            this.durability = durability;
        }

        @Override
        public void sendHeaders(Metadata headers) {
            hold(() -> super.sendHeaders(headers));
        }

        @Override
        public void sendMessage(R message) {
            hold(() -> super.sendMessage(message));
        }

        @Override
        public void close(Status status, Metadata trailers) {
            hold(() -> super.close(status, trailers));
        }

        private void hold(Runnable send) {
            long mark = durability.mark();
            lock.lock();
            try {
                if (failed) {
                    return;
                }
                if (waiting.isEmpty() && durability.isDurable(mark)) {
                    send.run();
                    return;
                }
                waiting.addLast(new Answer(mark, send));
            } finally {
                lock.unlock();
            }
            durability.whenDurable(mark, this::release);
        }

        /** Sends the answers whose marks are durable now, in order; on a failure, ends the call instead. */
        private void release(IOException failure) {
            lock.lock();
            try {
                if (failed) {
                    return;
                }
                if (failure != null) {
                    failed = true;
                    waiting.clear();
                    log.warn("a change could not be written; the call ends without its answer: {}", failure.toString());
                    boolean full = String.valueOf(failure.getMessage()).contains("No space left");
                    super.close((full ? Status.RESOURCE_EXHAUSTED : Status.UNAVAILABLE)
                            .withDescription("the change may not have been stored: "
                                    + (full ? "disk full (" + failure.getMessage() + ")" : failure.getMessage())),
                            new Metadata());
                    return;
                }
                while (!waiting.isEmpty() && durability.isDurable(waiting.peekFirst().mark)) {
                    waiting.pollFirst().send.run();
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
