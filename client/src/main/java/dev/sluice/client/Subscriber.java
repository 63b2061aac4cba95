package dev.sluice.client;

import dev.sluice.client.QueueTypes.ReceivedMessage;
import dev.sluice.concurrent.chan.Channel;
import dev.sluice.concurrent.chan.ChannelClosedException;
import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.context.ContextDoneException;
import dev.sluice.concurrent.sync.Semaphore;
import dev.sluice.concurrent.sync.WaitGroup;
import dev.sluice.concurrent.time.Time;
import dev.sluice.proto.v1.Delivery;
import dev.sluice.proto.v1.SubscribeRequest;
import dev.sluice.proto.v1.SubscribeResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/*
 * A streaming consumer that keeps itself connected.
 *
 * One Subscribe stream at a time. Its deliveries go into a channel (never more than the window,
 * since the server sends no more than max_outstanding unsettled deliveries) and a dispatcher
 * starts the handler for each on a virtual thread once one of `concurrency` slots is free. So a
 * slow handler holds at most `maxOutstanding` messages in client memory, and the server holds
 * back the rest.
 *
 * When the stream breaks (server restart, network), the server hands every unsettled delivery
 * back to the queue, and this class reconnects after an exponential backoff with jitter (reset
 * once a stream delivered something). Errors that retrying cannot fix (the queue does not exist,
 * bad arguments, credentials) stop it; see terminated().
 */
public final class Subscriber implements AutoCloseable {

    /**
     * @param maxOutstanding deliveries the server may have out to this subscriber, unsettled
     * @param maxOutstandingBytes payload bytes likewise (0: no byte limit)
     * @param concurrency handlers running at once
     * @param initialBackoff first reconnection delay; doubles up to maxBackoff
     */
    public record Settings(int maxOutstanding, long maxOutstandingBytes, int concurrency, Duration initialBackoff,
                           Duration maxBackoff) {
        public Settings {
            if (maxOutstanding < 1 || concurrency < 1 || maxOutstandingBytes < 0) {
                throw new IllegalArgumentException("maxOutstanding and concurrency must be >= 1, was "
                        + maxOutstanding + " and " + concurrency);
            }
        }

        public static Settings defaults() {
            return new Settings(100, 0, 16, Duration.ofMillis(100), Duration.ofSeconds(5));
        }

        public Settings concurrency(int n) {
            return new Settings(maxOutstanding, maxOutstandingBytes, n, initialBackoff, maxBackoff);
        }

        public Settings maxOutstanding(int n) {
            return new Settings(n, maxOutstandingBytes, concurrency, initialBackoff, maxBackoff);
        }
    }

    /** Handles one message; a handler that throws before settling it nacks it (redelivery at once). */
    @FunctionalInterface
    public interface Handler {
        void handle(ReceivedMessage message) throws Exception;
    }

    private final QueueClient client;
    private final String queue;
    private final Settings settings;
    private final Handler handler;
    private final CancelableContext life = Context.withCancel(Context.background());
    private final Semaphore slots;
    private final WaitGroup running = WaitGroup.create();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private volatile Stream current;

    private Subscriber(QueueClient client, String queue, Settings settings, Handler handler) {
        this.client = client;
        this.queue = queue;
        this.settings = settings;
        this.handler = handler;
        this.slots = Semaphore.create(settings.concurrency());
    }

    static Subscriber start(QueueClient client, String queue, Settings settings, Handler handler) {
        Subscriber s = new Subscriber(client, queue, settings, handler);
        Thread.ofVirtual().name("sluice-subscriber-" + queue).start(s::run);
        return s;
    }

    /**
     * Completes when the subscriber stops: normally after {@link #close()}, exceptionally with the
     * {@link SluiceException} that made it give up.
     */
    public CompletableFuture<Void> terminated() {
        return terminated;
    }

    /** Stops receiving, waits for running handlers to finish; unsettled messages go back to the queue. */
    @Override
    public void close() {
        life.cancel();
        Stream s = current;
        if (s != null) {
            s.requests.cancel("subscriber closed", null);
        }
        try {
            running.await();
            terminated.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException ignored) {
            // terminated exceptionally before close: reported through terminated()
        }
    }

    private void run() {
        Duration backoff = settings.initialBackoff();
        boolean everDelivered = false;
        try {
            while (!life.isDone()) {
                Stream s = new Stream();
                current = s;
                s.open();
                SluiceException end = s.awaitEnd();
                if (life.isDone()) {
                    break;
                }
                // A missing queue is a mistake at the start; later it means the (in-memory) server
                // restarted or the queue was deleted, and it may come back: keep trying then.
                if ((end instanceof SluiceException.NotFound && !everDelivered)
                        || end instanceof SluiceException.InvalidArgument
                        || end instanceof SluiceException.Unauthenticated
                        || end instanceof SluiceException.PermissionDenied) {
                    terminated.completeExceptionally(end);
                    return;
                }
                if (s.delivered) {
                    everDelivered = true;
                    backoff = settings.initialBackoff();
                }
                long jittered = (long) (backoff.toNanos() * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
                Time.sleep(life, Duration.ofNanos(jittered));
                backoff = backoff.multipliedBy(2).compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff()
                        : backoff.multipliedBy(2);
            }
        } catch (ContextDoneException | InterruptedException closed) {
            // close() was called
        }
        terminated.complete(null);
    }

    /** One Subscribe stream and its dispatcher. */
    private final class Stream {
        final Channel<Delivery> deliveries = Channel.buffered(settings.maxOutstanding());
        final CompletableFuture<SluiceException> ended = new CompletableFuture<>();
        final ReentrantLock sendLock = new ReentrantLock(); // a client stream's onNext is not thread-safe
        ClientCallStreamObserver<SubscribeRequest> requests;
        volatile boolean delivered;

        void open() {
            client.streaming.subscribe(new ClientResponseObserver<SubscribeRequest, SubscribeResponse>() {
                @Override
                public void beforeStart(ClientCallStreamObserver<SubscribeRequest> r) {
                    requests = r;
                }

                @Override
                public void onNext(SubscribeResponse r) {
                    for (Delivery d : r.getDeliveriesList()) {
                        delivered = true;
                        deliveries.trySend(d); // fits: the server keeps the window
                    }
                }

                @Override
                public void onError(Throwable t) {
                    ended.complete(SluiceException.from(t));
                    deliveries.close();
                }

                @Override
                public void onCompleted() {
                    ended.complete(SluiceException.from(io.grpc.Status.UNAVAILABLE
                            .withDescription("the server ended the stream").asRuntimeException()));
                    deliveries.close();
                }
            });
            send(SubscribeRequest.newBuilder().setQueue(queue).setMaxOutstandingMessages(settings.maxOutstanding())
                    .setMaxOutstandingBytes(settings.maxOutstandingBytes()).build());
            Thread.ofVirtual().name("sluice-dispatch-" + queue).start(this::dispatch);
        }

        SluiceException awaitEnd() throws InterruptedException {
            try {
                return ended.get();
            } catch (java.util.concurrent.ExecutionException e) {
                return SluiceException.from(e.getCause());
            }
        }

        boolean send(SubscribeRequest r) {
            sendLock.lock();
            try {
                if (ended.isDone()) {
                    return false;
                }
                requests.onNext(r);
                return true;
            } finally {
                sendLock.unlock();
            }
        }

        private void dispatch() {
            try {
                for (;;) {
                    Delivery d = deliveries.receive();
                    slots.acquire(life, 1);
                    running.add(1);
                    Thread.ofVirtual().name("sluice-handler").start(() -> {
                        try {
                            handle(new Streamed(this, d));
                        } finally {
                            slots.release(1);
                            running.done();
                        }
                    });
                }
            } catch (ChannelClosedException | ContextDoneException | InterruptedException over) {
                // the stream ended or the subscriber closed; the server redelivers what was not handled
            }
        }
    }

    private void handle(Streamed m) {
        try {
            handler.handle(m);
        } catch (Exception e) {
            if (m.settled.compareAndSet(false, true)) {
                m.settle(SubscribeRequest.newBuilder().addNacks(SubscribeRequest.Nack.newBuilder()
                        .setAckToken(m.ackToken())).build(), () -> client.nack(queue, m.ackToken(), null));
            }
        }
    }

    /** A delivery from the stream: settled over the stream while it lives, else with unary calls. */
    private final class Streamed extends QueueClient.Received {
        final Stream stream;
        final AtomicBoolean settled = new AtomicBoolean();

        Streamed(Stream stream, Delivery d) {
            super(Subscriber.this.queue, d);
            this.stream = stream;
        }

        @Override
        public boolean ack() {
            return settled.compareAndSet(false, true) && settle(SubscribeRequest.newBuilder().addAckTokens(ackToken())
                    .build(), () -> client.ack(queue, ackToken()));
        }

        @Override
        public boolean nack(Duration delay) {
            if (!settled.compareAndSet(false, true)) {
                return false;
            }
            SubscribeRequest.Nack.Builder n = SubscribeRequest.Nack.newBuilder().setAckToken(ackToken());
            if (delay != null) {
                n.setDelay(Protos.duration(delay));
            }
            return settle(SubscribeRequest.newBuilder().addNacks(n).build(), () -> client.nack(queue, ackToken(), delay));
        }

        @Override
        public boolean extend(Duration deadline) {
            return !settled.get() && settle(SubscribeRequest.newBuilder().addExtensions(SubscribeRequest.Extension
                    .newBuilder().setAckToken(ackToken()).setAckDeadline(Protos.duration(deadline))).build(),
                    () -> client.extend(queue, ackToken(), deadline));
        }

        /**
         * Over the stream: true once sent (a stale token comes back in rejected_tokens and the
         * server counts it; the message is then redelivered anyway). Without a stream: the
         * unary call's answer.
         */
        boolean settle(SubscribeRequest onStream, java.util.function.BooleanSupplier unary) {
            return stream.send(onStream) || unary.getAsBoolean();
        }
    }
}
