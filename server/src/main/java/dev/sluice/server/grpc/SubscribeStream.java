package dev.sluice.server.grpc;

import dev.sluice.concurrent.context.Context;
import dev.sluice.proto.v1.SubscribeRequest;
import dev.sluice.proto.v1.SubscribeResponse;
import dev.sluice.server.error.SluiceException;
import dev.sluice.server.queue.Delivery;
import dev.sluice.server.queue.Queue;
import dev.sluice.server.queue.QueueRegistry;
import dev.sluice.server.queue.Subscription;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/*
 * One Subscribe call: a streaming consumer with flow control.
 *
 * The first request names the queue and the window (max outstanding messages and bytes). A pump,
 * one virtual thread, then loops: wait for the window and a message, take everything ready within
 * the window at once (Subscription.next: up to 256 deliveries and about 1 MiB of payload, one
 * pass under the queue's lock), and write it as one response through a FlowControlledWriter,
 * which waits until the transport is ready. Later requests carry acks (a client coalesces many
 * into one request; they are settled in one pass), nacks and deadline extensions; tokens that
 * were stale come back in `rejected_tokens`.
 *
 * However the call ends (client cancel, half-close, error, queue deleted, shutdown), the
 * subscription is closed, which hands every delivery it still holds back to the queue for
 * immediate redelivery; nothing the client did not acknowledge is lost.
 */
final class SubscribeStream implements StreamObserver<SubscribeRequest> {
    private static final int MAX_DELIVERIES_PER_RESPONSE = 256;

    private final QueueRegistry registry;
    private final FlowControlledWriter<SubscribeResponse> out;
    private final Context ctx;
    private final String peer;
    private volatile Subscription subscription; // set by the first request (requests are serialized)

    SubscribeStream(QueueRegistry registry, ServerCallStreamObserver<SubscribeResponse> out, Context ctx) {
        this.registry = registry;
        this.out = new FlowControlledWriter<>(out, this::close);
        this.ctx = ctx;
        this.peer = CallContextInterceptor.peer();
    }

    @Override
    public void onNext(SubscribeRequest req) {
        try {
            if (subscription == null) {
                start(req);
            } else if (!req.getQueue().isEmpty() && !req.getQueue().equals(subscription.queue().name())) {
                throw SluiceException.invalid("a subscription cannot change its queue");
            }
            if (subscription != null) {
                acknowledge(subscription.queue(), req);
            }
        } catch (SluiceException e) {
            end(StatusMapping.toStatus(e));
        }
        out.requestDone();
    }

    private void start(SubscribeRequest first) {
        if (first.getQueue().isEmpty()) {
            throw SluiceException.invalid("the first subscribe request must name the queue");
        }
        Subscription s = QueueGrpcService.call(() -> registry.subscribe(ctx, first.getQueue(),
                first.getMaxOutstandingMessages(), first.getMaxOutstandingBytes(), peer));
        subscription = s;
        Thread.ofVirtual().name("sluice-subscribe-" + first.getQueue()).start(() -> pump(s));
    }

    private void acknowledge(Queue q, SubscribeRequest req) {
        List<String> rejected = new ArrayList<>();
        if (req.getAckTokensCount() > 0) {
            List<String> tokens = req.getAckTokensList();
            List<Boolean> accepted = q.ack(tokens); // one pass under the queue's lock for the whole request
            for (int i = 0; i < tokens.size(); i++) {
                if (!accepted.get(i)) {
                    rejected.add(tokens.get(i));
                }
            }
        }
        // Nacks and extensions go through the registry, which checks their durations.
        for (SubscribeRequest.Nack n : req.getNacksList()) {
            Duration delay = ProtoTime.optional("nack delay", n.hasDelay(), n.getDelay());
            if (!QueueGrpcService.call(() -> registry.nack(q.name(), List.of(n.getAckToken()), delay)).get(0)) {
                rejected.add(n.getAckToken());
            }
        }
        for (SubscribeRequest.Extension x : req.getExtensionsList()) {
            Duration d = ProtoTime.duration("ack_deadline", x.getAckDeadline());
            if (!QueueGrpcService.call(() -> registry.extend(q.name(), List.of(x.getAckToken()), d)).get(0)) {
                rejected.add(x.getAckToken());
            }
        }
        if (!rejected.isEmpty()) {
            out.reply(SubscribeResponse.newBuilder().addAllRejectedTokens(rejected).build());
        }
    }

    private void pump(Subscription s) {
        try {
            for (;;) {
                // Everything ready within the window (and a response's byte budget), at once.
                List<Delivery> batch = s.next(MAX_DELIVERIES_PER_RESPONSE);
                if (batch.isEmpty()) {
                    if (registry.isClosed()) {
                        end(Status.UNAVAILABLE.withDescription("the server is shutting down"));
                    }
                    return;
                }
                long now = System.nanoTime();
                SubscribeResponse r = SubscribeResponse.newBuilder()
                        .addAllDeliveries(QueueGrpcService.deliveries(batch, now)).build();
                if (!out.send(r)) {
                    return; // the call is over: close() below returns these deliveries
                }
            }
        } catch (SluiceException e) {
            end(StatusMapping.toStatus(e)); // the queue was deleted
        } catch (InterruptedException e) {
            end(Status.UNAVAILABLE.withDescription("the server is shutting down"));
        } finally {
            close();
        }
    }

    @Override
    public void onError(Throwable t) {
        out.abandon();
        close();
    }

    @Override
    public void onCompleted() {
        close();
        out.complete();
    }

    /** Closes the subscription first, so a client that sees the status also sees it gone from the stats. */
    private void end(Status status) {
        close();
        out.fail(status);
    }

    private void close() {
        Subscription s = subscription;
        if (s != null) {
            registry.unsubscribe(s);
        }
    }
}
