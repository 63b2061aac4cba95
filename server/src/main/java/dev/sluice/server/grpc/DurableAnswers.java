package dev.sluice.server.grpc;

import dev.sluice.server.storage.Durability;
import dev.sluice.server.storage.journal.Completion;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.netty.util.concurrent.EventExecutor;
import io.grpc.netty.shaded.io.netty.util.internal.ThreadExecutorMap;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
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
 * <p>Where the held answers are sent: the journal reports durability on its one thread, and
 * sending an answer means serializing it (a batch of deliveries with their payloads) and handing
 * it to Netty. Done on the journal thread, that work queued every fsync behind every response
 * (a JFR profile of the durable queue benchmark had 75-80% of that thread's samples in
 * {@code ServerCall.sendMessage}). So a call started on a Netty event loop (the queue's data
 * path runs there) sends its held answers from that event loop: the journal thread only hands
 * it one task per call per durable batch, and Netty would have had to hop to the event loop for
 * the write anyway. A call started elsewhere (the virtual-thread executor, the in-process
 * transport) is released on the thread that reports durability, as before.
 *
 * <p>Per call at most one {@code whenDurable} is registered at a time, for the oldest held
 * answer; when it fires, every answer durable by then leaves and the next oldest registers.
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
        return next.startCall(new Held<>(call, durability, ThreadExecutorMap.currentExecutor()), headers);
    }

    /** One call whose answers wait for durability, in order. */
    private static final class Held<Q, R> extends SimpleForwardingServerCall<Q, R> implements Completion {
        private record Answer(long mark, Runnable send) {}

        private final Durability durability;
        /** The event loop the call started on, where held answers are sent; null: where durability is reported. */
        private final EventExecutor loop;
        private final Runnable drain = this::drain;
        private final ReentrantLock lock = new ReentrantLock();
        private final ArrayDeque<Answer> waiting = new ArrayDeque<>(); // guarded by lock
        private boolean registered;                                     // guarded by lock: a whenDurable is pending
        private boolean drainQueued;                                    // guarded by lock: drain is on the loop's queue
        private IOException failure;                                    // guarded by lock: reported, not yet acted on
        private boolean failed;                                         // guarded by lock

        Held(ServerCall<Q, R> call, Durability durability, EventExecutor loop) {
            super(call);
            this.durability = durability;
            this.loop = loop;
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
                // under everysec/no this writes the journal here rather than waiting for its thread;
                // it never blocks (tryLock), so holding this call's lock meanwhile cannot deadlock
                if (waiting.isEmpty() && durability.makeDurableNow(mark)) {
                    send.run();
                    return;
                }
                waiting.addLast(new Answer(mark, send));
                if (registered) {
                    return; // an older answer's registration comes first; drain registers the next
                }
                registered = true;
            } finally {
                lock.unlock();
            }
            durability.whenDurable(mark, this);
        }

        /** The registered mark is durable (or its write failed): send from the call's loop. */
        @Override
        public void done(IOException e) {
            lock.lock();
            try {
                registered = false;
                if (e != null && failure == null) {
                    failure = e;
                }
                if (loop == null || loop.inEventLoop()) {
                    drainLocked();
                    return;
                }
                if (drainQueued) {
                    return;
                }
                drainQueued = true;
            } finally {
                lock.unlock();
            }
            try {
                loop.execute(drain);
            } catch (RejectedExecutionException shuttingDown) {
                drain(); // the loop is closing: send from here rather than not at all
            }
        }

        private void drain() {
            lock.lock();
            try {
                drainQueued = false;
                drainLocked();
            } finally {
                lock.unlock();
            }
        }

        /**
         * Sends the answers whose marks are durable now, in order, then registers for the oldest
         * left (unless one is registered); on a failure, ends the call instead.
         */
        private void drainLocked() {
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
            if (!waiting.isEmpty() && !registered) {
                registered = true;
                // Under the lock: whenDurable may call done at once, on this thread (the lock is
                // reentrant and the journal only takes its own leaf lock).
                durability.whenDurable(waiting.peekFirst().mark, this);
            }
        }
    }
}
