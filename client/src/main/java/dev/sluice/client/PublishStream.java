package dev.sluice.client;

import dev.sluice.concurrent.time.Timer;
import dev.sluice.proto.v1.PublishRequest;
import dev.sluice.proto.v1.PublishStreamRequest;
import dev.sluice.proto.v1.PublishStreamResponse;
import dev.sluice.proto.v1.QueueServiceGrpc;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/*
 * The client's side of QueueService.PublishStream: every publish of one QueueClient, blocking or
 * batched, goes over one long-lived stream, as a NATS client publishes on its connection. That
 * costs one message each way per publish instead of a call (headers, a new HTTP/2 stream,
 * trailers), and the server answers it on its transport thread.
 *
 * publish() numbers the request, remembers its future under that number and sends it; the answer
 * (which may overtake answers for other destinations, see the proto) completes the future. If
 * the stream breaks, every unanswered publish fails with the stream's status (UNAVAILABLE for a
 * lost connection: the client cannot know whether the server applied it, exactly as with a
 * unary call that breaks), and the next publish opens a new stream. Writes are never retried.
 *
 * Every publish carries the client's deadline as its timeout, so the server answers
 * DEADLINE_EXCEEDED when it waited that long for room; should no answer come at all (a server
 * that stopped answering without closing the connection), a timer fails the publish one second
 * after its deadline. Pending publishes are kept in send order, which (one timeout for all) is
 * deadline order, so the timer only ever looks at the oldest.
 */
final class PublishStream {
    private static final Duration ANSWER_GRACE = Duration.ofSeconds(1);

    private final QueueServiceGrpc.QueueServiceStub stub;
    private final Duration timeout; // zero: none
    private final ReentrantLock lock = new ReentrantLock();
    private Call current;       // guarded by lock
    private long nextSequence;  // guarded by lock
    private boolean closed;     // guarded by lock

    PublishStream(QueueServiceGrpc.QueueServiceStub stub, Duration timeout) {
        this.stub = stub;
        this.timeout = timeout;
    }

    /** Sends one publish; the future completes with its ids or fails with a {@link SluiceException}. */
    CompletableFuture<List<String>> publish(PublishRequest request) {
        CompletableFuture<List<String>> answer = new CompletableFuture<>();
        lock.lock();
        try {
            if (closed) {
                answer.completeExceptionally(SluiceException.from(Status.UNAVAILABLE
                        .withDescription("the client is closed").asRuntimeException()));
                return answer;
            }
            if (current == null || current.over) {
                current = new Call();
            }
            current.send(++nextSequence, request, answer);
        } finally {
            lock.unlock();
        }
        return answer;
    }

    /** Half-closes the stream: the server answers what it has, then ends it. */
    void close() {
        lock.lock();
        try {
            closed = true;
            if (current != null && !current.over) {
                current.requests.onCompleted();
            }
        } finally {
            lock.unlock();
        }
    }

    /** One PublishStream call. Its state is guarded by the outer lock. */
    private final class Call implements ClientResponseObserver<PublishStreamRequest, PublishStreamResponse> {
        private record Pending(CompletableFuture<List<String>> answer, long deadlineNanos) {}

        final Map<Long, Pending> pending = new LinkedHashMap<>(); // send order = deadline order
        ClientCallStreamObserver<PublishStreamRequest> requests;
        Timer sweeper;
        boolean over;

        Call() {
            stub.publishStream(this);
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<PublishStreamRequest> r) {
            requests = r;
        }

        /** Under the lock. */
        void send(long sequence, PublishRequest request, CompletableFuture<List<String>> answer) {
            PublishStreamRequest.Builder r = PublishStreamRequest.newBuilder().setSequence(sequence).setPublish(request);
            long deadline = Long.MAX_VALUE;
            if (!timeout.isZero()) {
                r.setTimeout(Protos.duration(timeout));
                deadline = System.nanoTime() + timeout.plus(ANSWER_GRACE).toNanos();
                if (sweeper == null) {
                    sweeper = Timer.afterFunc(timeout.plus(ANSWER_GRACE), this::sweep);
                }
            }
            pending.put(sequence, new Pending(answer, deadline));
            requests.onNext(r.build());
        }

        @Override
        public void onNext(PublishStreamResponse r) {
            Pending p;
            lock.lock();
            try {
                p = pending.remove(r.getSequence());
            } finally {
                lock.unlock();
            }
            if (p == null) {
                return; // timed out already
            }
            if (r.getCode() == 0) {
                p.answer.complete(r.getMessageIdsList());
            } else {
                p.answer.completeExceptionally(SluiceException.from(Status.fromCodeValue(r.getCode())
                        .withDescription(r.getError()).asRuntimeException()));
            }
        }

        @Override
        public void onError(Throwable t) {
            end(SluiceException.from(t));
        }

        @Override
        public void onCompleted() {
            end(SluiceException.from(Status.UNAVAILABLE.withDescription("the server ended the publish stream")
                    .asRuntimeException()));
        }

        private void end(SluiceException why) {
            List<Pending> failed;
            lock.lock();
            try {
                over = true;
                failed = new ArrayList<>(pending.values());
                pending.clear();
                if (sweeper != null) {
                    sweeper.stop();
                }
            } finally {
                lock.unlock();
            }
            failed.forEach(p -> p.answer.completeExceptionally(why));
        }

        /** Fails the publishes whose answer is overdue; runs again for the oldest one left. */
        private void sweep() {
            List<Pending> overdue = new ArrayList<>();
            lock.lock();
            try {
                long now = System.nanoTime();
                for (Iterator<Pending> i = pending.values().iterator(); i.hasNext(); ) {
                    Pending p = i.next();
                    if (p.deadlineNanos > now) {
                        break;
                    }
                    overdue.add(p);
                    i.remove();
                }
                sweeper = null;
                if (!over && !pending.isEmpty()) {
                    long next = pending.values().iterator().next().deadlineNanos - now;
                    sweeper = Timer.afterFunc(Duration.ofNanos(Math.max(0, next)), this::sweep);
                }
            } finally {
                lock.unlock();
            }
            SluiceException late = SluiceException.from(Status.DEADLINE_EXCEEDED.withDescription("no answer to a"
                    + " publish within " + timeout.plus(ANSWER_GRACE).toMillis() + " ms").asRuntimeException());
            overdue.forEach(p -> p.answer.completeExceptionally(late));
        }
    }
}
