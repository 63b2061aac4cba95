package dev.sluice.server.grpc;

import dev.sluice.concurrent.context.AfterFunc;
import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.Context;
import dev.sluice.proto.v1.PublishRequest;
import dev.sluice.proto.v1.PublishStreamRequest;
import dev.sluice.proto.v1.PublishStreamResponse;
import dev.sluice.server.error.SluiceException;
import dev.sluice.server.queue.QueueRegistry;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/*
 * One PublishStream call: publishes on a long-lived stream, one answer per request.
 *
 * Requests are handled where they arrive, on the transport's thread (the call runs on a direct
 * executor): a publish that finds room is written and answered at once, without a thread hop.
 * One that must wait for room (a full queue) moves to a waiter, a virtual thread per destination,
 * together with every later request to that destination while it waits, so each destination's
 * requests are applied and answered in the order sent while other destinations go on.
 *
 * Inbound flow control: the stream reads one request at a time (manual request(1)), and reads
 * the next only when the previous one is answered or parked with a waiter, fewer than
 * MAX_WAITING requests are parked, and the transport can take answers (isReady). So a client
 * that floods the stream, or does not read its answers, makes the server hold at most
 * MAX_WAITING requests and as many answers.
 *
 * The call ends when the client half-closes (after the parked requests are answered), cancels,
 * or the server stops: then at once, with UNAVAILABLE (parked requests end with the call's
 * context, unanswered, and nothing of them was published).
 */
final class PublishStream implements StreamObserver<PublishStreamRequest> {
    static final int MAX_WAITING = 64;

    private final QueueRegistry registry;
    private final ServerCallStreamObserver<PublishStreamResponse> out;
    private final io.grpc.Context call = io.grpc.Context.current();
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, ArrayDeque<PublishStreamRequest>> parked = new HashMap<>(); // guarded by lock
    private int parkedCount;     // guarded by lock
    private boolean requested;   // guarded by lock: a request(1) is outstanding
    private boolean halfClosed;  // guarded by lock
    private boolean done;        // guarded by lock
    private final AfterFunc atShutdown;

    PublishStream(QueueRegistry registry, ServerCallStreamObserver<PublishStreamResponse> out) {
        this.registry = registry;
        this.out = out;
        out.disableAutoRequest();
        out.setOnReadyHandler(this::readMore);
        out.setOnCancelHandler(this::abandon);
        // A stream stays open as long as its client lives: end it when the server stops (parked
        // requests end with the call; the client learns that they were not answered).
        atShutdown = registry.onClose(() -> {
            lock.lock();
            try {
                if (!done) {
                    done = true;
                    out.onError(Status.UNAVAILABLE.withDescription("the server is shutting down").asRuntimeException());
                }
            } finally {
                lock.unlock();
            }
        });
        requested = true;
        out.request(1);
    }

    /** The call ended without us (the client cancelled or went away). */
    private void abandon() {
        lock.lock();
        try {
            done = true;
        } finally {
            lock.unlock();
        }
        atShutdown.stop();
    }

    @Override
    public void onNext(PublishStreamRequest r) {
        lock.lock();
        try {
            requested = false;
        } finally {
            lock.unlock();
        }
        try {
            String key = destination(r.getPublish());
            if (!park(key, r, false)) {
                List<String> ids = registry.tryPublish(name(r.getPublish()), isTopic(r.getPublish()),
                        QueueGrpcService.outgoing(r.getPublish().getMessagesList()), r.getPublish().getNoWait());
                if (ids != null) {
                    answer(ok(r, ids));
                } else if (park(key, r, true)) {
                    Thread.ofVirtual().name("sluice-publish-wait").start(call.wrap(() -> drain(key)));
                }
            }
        } catch (RuntimeException e) {
            answer(failed(r, e));
        }
        readMore();
    }

    /**
     * Parks {@code r} behind the requests already waiting for {@code key}; with {@code first},
     * starts the line. Returns whether it was parked (without {@code first}: whether a line
     * existed); true with {@code first} means the caller starts the waiter.
     */
    private boolean park(String key, PublishStreamRequest r, boolean first) {
        lock.lock();
        try {
            ArrayDeque<PublishStreamRequest> line = parked.get(key);
            if (line == null) {
                if (!first) {
                    return false;
                }
                line = new ArrayDeque<>();
                parked.put(key, line);
            }
            line.addLast(r);
            parkedCount++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The waiter of one destination: publishes its parked requests in order, waiting for room. */
    private void drain(String key) {
        for (;;) {
            PublishStreamRequest r;
            lock.lock();
            try {
                r = parked.get(key).peekFirst();
            } finally {
                lock.unlock();
            }
            answer(publishWaiting(r));
            boolean more;
            lock.lock();
            try {
                ArrayDeque<PublishStreamRequest> line = parked.get(key);
                line.pollFirst();
                parkedCount--;
                more = !line.isEmpty();
                if (!more) {
                    parked.remove(key);
                }
                if (halfClosed && parkedCount == 0) {
                    complete();
                }
            } finally {
                lock.unlock();
            }
            readMore();
            if (!more) {
                return;
            }
        }
    }

    private PublishStreamResponse publishWaiting(PublishStreamRequest r) {
        PublishRequest p = r.getPublish();
        try {
            Duration timeout = r.hasTimeout() ? ProtoTime.duration("timeout", r.getTimeout()) : null;
            Context ctx = CallContextInterceptor.current();
            try (CancelableContext waiting = timeout == null ? Context.withCancel(ctx) : Context.withTimeout(ctx, timeout)) {
                List<String> ids = QueueGrpcService.call(() -> registry.publish(waiting, name(p), isTopic(p),
                        QueueGrpcService.outgoing(p.getMessagesList()), p.getNoWait()));
                return ok(r, ids);
            }
        } catch (RuntimeException e) {
            return failed(r, e);
        }
    }

    private void answer(PublishStreamResponse a) {
        lock.lock();
        try {
            if (!done) {
                out.onNext(a);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Reads the next request if the previous one is handled, few enough wait, and answers can flow. */
    private void readMore() {
        lock.lock();
        try {
            if (done || halfClosed || requested || parkedCount >= MAX_WAITING || !out.isReady()) {
                return;
            }
            requested = true;
        } finally {
            lock.unlock();
        }
        out.request(1); // outside the lock: on the transport thread it may deliver the next request at once
    }

    @Override
    public void onError(Throwable t) {
        abandon();
    }

    @Override
    public void onCompleted() {
        lock.lock();
        try {
            halfClosed = true;
            if (parkedCount == 0) {
                complete();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock. */
    private void complete() {
        if (!done) {
            done = true;
            out.onCompleted();
            atShutdown.stop();
        }
    }

    // ------------------------------------------------------------------ translation

    private static String destination(PublishRequest p) {
        return switch (p.getDestinationCase()) {
            case QUEUE -> "q:" + p.getQueue();
            case TOPIC -> "t:" + p.getTopic();
            case DESTINATION_NOT_SET -> throw SluiceException.invalid("publish needs a queue or a topic");
        };
    }

    private static boolean isTopic(PublishRequest p) {
        return p.getDestinationCase() == PublishRequest.DestinationCase.TOPIC;
    }

    private static String name(PublishRequest p) {
        return isTopic(p) ? p.getTopic() : p.getQueue();
    }

    private static PublishStreamResponse ok(PublishStreamRequest r, List<String> ids) {
        return PublishStreamResponse.newBuilder().setSequence(r.getSequence()).addAllMessageIds(ids).build();
    }

    private static PublishStreamResponse failed(PublishStreamRequest r, RuntimeException e) {
        Status s = StatusMapping.toStatus(e);
        return PublishStreamResponse.newBuilder().setSequence(r.getSequence()).setCode(s.getCode().value())
                .setError(s.getDescription() == null ? "" : s.getDescription()).build();
    }
}
