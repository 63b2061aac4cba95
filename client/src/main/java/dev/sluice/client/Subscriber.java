package dev.sluice.client;

import dev.sluice.client.QueueTypes.ReceivedMessage;
import dev.sluice.concurrent.chan.Channel;
import dev.sluice.concurrent.chan.ChannelClosedException;
import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.context.ContextDoneException;
import dev.sluice.concurrent.sync.WaitGroup;
import dev.sluice.concurrent.time.Time;
import dev.sluice.concurrent.time.Timer;
import dev.sluice.proto.v1.Delivery;
import dev.sluice.proto.v1.SubscribeRequest;
import dev.sluice.proto.v1.SubscribeResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/*
 * A streaming consumer that keeps itself connected.
 *
 * One Subscribe stream at a time. Its deliveries go into a channel (never more than the window,
 * since the server sends no more than max_outstanding unsettled deliveries) from which a pool of
 * `concurrency` handler threads (virtual threads, started with the stream) take them: a slow
 * handler holds at most `maxOutstanding` messages in client memory, and the server holds back
 * the rest.
 *
 * Settling is coalesced: acks, nacks and deadline changes collect in one pending request, sent
 * when it holds a quarter of the window (at most 1,000 tokens) or ACK_DELAY after its first
 * entry, whichever comes first, so a busy consumer sends a few requests per window instead of
 * one per message and an idle one still settles within a millisecond. The guarantees do not
 * change: a settlement the server has not seen when the stream ends is lost with the stream, and
 * the server, which releases every unsettled delivery of a stream that ends, delivers those
 * messages again (at least once, never lost). close() sends what is pending and half-closes the
 * stream, so the server settles everything the handlers did before it lets the rest go.
 *
 * Leases: every delivery received and not yet settled (waiting in the channel or in a handler)
 * has its ack deadline extended by the deadline it came with once half of it has passed, for up
 * to maxAckExtension after its receipt, so a slow handler does not get its message redelivered
 * to someone else meanwhile. The extensions go in the coalesced requests too; one virtual thread
 * per stream checks the leases every LEASE_TICK.
 *
 * When the stream breaks (server restart, network), this class reconnects after an exponential
 * backoff with jitter (reset once a stream delivered something). Errors that retrying cannot fix
 * (the queue does not exist, bad arguments, credentials) stop it; see terminated().
 */
public final class Subscriber implements AutoCloseable {
    /** Longest a settlement waits in the pending request before it is sent. */
    static final Duration ACK_DELAY = Duration.ofMillis(1);
    /** Most tokens in one settle request. */
    static final int MAX_SETTLE_BATCH = 1000;
    /** How often a stream looks for leases to extend. */
    static final Duration LEASE_TICK = Duration.ofMillis(100);
    /** How long close() waits for the server to settle what was sent and end the stream. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

    /**
     * @param maxOutstanding deliveries the server may have out to this subscriber, unsettled
     * @param maxOutstandingBytes payload bytes likewise (0: no byte limit)
     * @param concurrency handlers running at once (the size of the handler pool)
     * @param initialBackoff first reconnection delay; doubles up to maxBackoff
     * @param maxAckExtension how long after its receipt a delivery that is neither acked nor
     *     nacked keeps getting its ack deadline extended (Pub/Sub's max extension period); then
     *     it is let go and redelivered. Zero: never extended by the subscriber
     */
    public record Settings(int maxOutstanding, long maxOutstandingBytes, int concurrency, Duration initialBackoff,
                           Duration maxBackoff, Duration maxAckExtension) {
        public Settings {
            if (maxOutstanding < 1 || concurrency < 1 || maxOutstandingBytes < 0) {
                throw new IllegalArgumentException("maxOutstanding and concurrency must be >= 1, was "
                        + maxOutstanding + " and " + concurrency);
            }
            if (maxAckExtension.isNegative()) {
                throw new IllegalArgumentException("maxAckExtension must be >= 0, was " + maxAckExtension);
            }
        }

        /** 100 outstanding, 16 handlers, deadlines extended for up to an hour. */
        public static Settings defaults() {
            return new Settings(100, 0, 16, Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofHours(1));
        }

        public Settings concurrency(int n) {
            return new Settings(maxOutstanding, maxOutstandingBytes, n, initialBackoff, maxBackoff, maxAckExtension);
        }

        public Settings maxOutstanding(int n) {
            return new Settings(n, maxOutstandingBytes, concurrency, initialBackoff, maxBackoff, maxAckExtension);
        }

        public Settings maxAckExtension(Duration d) {
            return new Settings(maxOutstanding, maxOutstandingBytes, concurrency, initialBackoff, maxBackoff, d);
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
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private volatile Stream current;

    private Subscriber(QueueClient client, String queue, Settings settings, Handler handler) {
        this.client = client;
        this.queue = queue;
        this.settings = settings;
        this.handler = handler;
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

    /**
     * Stops taking messages, waits for running handlers to finish, sends their settlements and
     * ends the stream (waiting up to 5 s for the server to take them); unsettled messages go back
     * to the queue. Blocks until then; idempotent. If interrupted, it stops waiting and the
     * stream is cancelled (what the handlers settled may then be redelivered).
     */
    @Override
    public void close() {
        life.cancel();
        try {
            Stream s = current;
            if (s != null) {
                s.closeDeliveries(); // wakes idle handlers; running ones finish their message
                s.handlers.await();
                s.finish();
            }
            terminated.get(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException | ExecutionException e) {
            // no answer in time, or it had terminated with an error (reported through terminated())
        } finally {
            Stream s = current;
            if (s != null) {
                s.requests.cancel("subscriber closed", null);
            }
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
                if (life.isDone()) {
                    s.finish(); // close() came while this stream was opening
                }
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

    /** One Subscribe stream, its handler pool and its pending settlements. */
    private final class Stream {
        final Channel<Delivery> deliveries = Channel.buffered(settings.maxOutstanding());
        final CompletableFuture<SluiceException> ended = new CompletableFuture<>();
        final WaitGroup handlers = WaitGroup.create();
        final int settleBatch = Math.max(1, Math.min(MAX_SETTLE_BATCH, settings.maxOutstanding() / 4));
        final ReentrantLock sendLock = new ReentrantLock(); // a client stream's onNext is not thread-safe
        // Unsettled deliveries by ack token, for lease extension (absent when extension is off).
        final Map<String, Lease> leases = settings.maxAckExtension().isZero() ? null : new ConcurrentHashMap<>();
        ClientCallStreamObserver<SubscribeRequest> requests;
        SubscribeRequest.Builder pending = SubscribeRequest.newBuilder(); // guarded by sendLock
        int pendingCount;                                                   // guarded by sendLock
        Timer flushTimer;                                                   // guarded by sendLock
        boolean halfClosed;                                                 // guarded by sendLock
        volatile boolean delivered;

        void open() {
            client.streaming.subscribe(new ClientResponseObserver<SubscribeRequest, SubscribeResponse>() {
                @Override
                public void beforeStart(ClientCallStreamObserver<SubscribeRequest> r) {
                    requests = r;
                }

                @Override
                public void onNext(SubscribeResponse r) {
                    delivered = true;
                    if (leases != null) {
                        long now = System.nanoTime();
                        for (Delivery d : r.getDeliveriesList()) {
                            long lease = Protos.duration(d.getAckDeadline()).toNanos();
                            leases.put(d.getAckToken(), new Lease(now, lease));
                        }
                    }
                    try {
                        for (Delivery d : r.getDeliveriesList()) {
                            deliveries.trySend(d); // fits: the server keeps the window
                        }
                    } catch (ChannelClosedException closing) {
                        // close() was called: the server takes these back when the stream ends
                    }
                }

                @Override
                public void onError(Throwable t) {
                    end(SluiceException.from(t));
                }

                @Override
                public void onCompleted() {
                    end(SluiceException.from(io.grpc.Status.UNAVAILABLE
                            .withDescription("the server ended the stream").asRuntimeException()));
                }
            });
            sendNow(SubscribeRequest.newBuilder().setQueue(queue).setMaxOutstandingMessages(settings.maxOutstanding())
                    .setMaxOutstandingBytes(settings.maxOutstandingBytes()).build());
            handlers.add(settings.concurrency());
            for (int i = 0; i < settings.concurrency(); i++) {
                Thread.ofVirtual().name("sluice-handler-" + queue).start(this::work);
            }
            if (leases != null) {
                Thread.ofVirtual().name("sluice-leases-" + queue).start(this::extendLeases);
            }
        }

        /** Until the stream ends: extends each unsettled delivery once half its lease has passed. */
        private void extendLeases() {
            long maxExtension = settings.maxAckExtension().toNanos();
            try {
                while (!ended.isDone() && !life.isDone()) {
                    Time.sleep(life, LEASE_TICK);
                    long now = System.nanoTime();
                    for (var e : leases.entrySet()) {
                        Lease l = e.getValue();
                        if (now - l.receivedAt > maxExtension) {
                            leases.remove(e.getKey()); // held too long: let it go back to the queue
                        } else if (now >= l.extendAt) {
                            l.extendAt = now + l.leaseNanos / 2;
                            String token = e.getKey();
                            settle(r -> r.addExtensions(SubscribeRequest.Extension.newBuilder().setAckToken(token)
                                    .setAckDeadline(Protos.duration(Duration.ofNanos(l.leaseNanos)))));
                        }
                    }
                }
            } catch (ContextDoneException | InterruptedException closed) {
                // the subscriber closed
            }
        }

        /** Idempotent: the stream's end and close() both close the channel. */
        void closeDeliveries() {
            try {
                deliveries.close();
            } catch (ChannelClosedException already) {
                // closed by the other one
            }
        }

        private void end(SluiceException why) {
            ended.complete(why);
            closeDeliveries();
            sendLock.lock();
            try {
                if (flushTimer != null) {
                    flushTimer.stop();
                    flushTimer = null;
                }
            } finally {
                sendLock.unlock();
            }
        }

        SluiceException awaitEnd() throws InterruptedException {
            try {
                return ended.get();
            } catch (ExecutionException e) {
                return SluiceException.from(e.getCause());
            }
        }

        /** One handler of the pool: takes deliveries until the stream ends or the subscriber closes. */
        private void work() {
            try {
                for (;;) {
                    Delivery d = deliveries.receive();
                    if (ended.isDone() || life.isDone()) {
                        return; // the server takes back what this stream held: do not handle it twice
                    }
                    handle(new Streamed(this, d));
                }
            } catch (ChannelClosedException | InterruptedException over) {
                // the stream ended or the subscriber closed; the server redelivers what was not handled
            } finally {
                handlers.done();
            }
        }

        /**
         * Adds a settlement to the pending request; sends it if it is full, else makes sure it
         * goes within ACK_DELAY. False if the stream is over (the caller settles another way).
         */
        boolean settle(java.util.function.Consumer<SubscribeRequest.Builder> add) {
            sendLock.lock();
            try {
                if (ended.isDone() || halfClosed) {
                    return false;
                }
                add.accept(pending);
                if (++pendingCount >= settleBatch) {
                    flushLocked();
                } else if (flushTimer == null) {
                    flushTimer = Timer.afterFunc(ACK_DELAY, this::flush);
                }
                return true;
            } finally {
                sendLock.unlock();
            }
        }

        void flush() {
            sendLock.lock();
            try {
                flushLocked();
            } finally {
                sendLock.unlock();
            }
        }

        private void flushLocked() {
            if (flushTimer != null) {
                flushTimer.stop();
                flushTimer = null;
            }
            if (pendingCount == 0 || ended.isDone() || halfClosed) {
                return;
            }
            SubscribeRequest r = pending.build();
            pending = SubscribeRequest.newBuilder();
            pendingCount = 0;
            requests.onNext(r);
        }

        /** Sends what is pending, then half-closes: the server settles it all, then ends the stream. */
        void finish() {
            sendLock.lock();
            try {
                flushLocked();
                if (!halfClosed && !ended.isDone()) {
                    halfClosed = true;
                    requests.onCompleted();
                }
            } finally {
                sendLock.unlock();
            }
        }

        private void sendNow(SubscribeRequest r) {
            sendLock.lock();
            try {
                if (!ended.isDone()) {
                    requests.onNext(r);
                }
            } finally {
                sendLock.unlock();
            }
        }
    }

    /** A delivery's lease: extended by leaseNanos whenever extendAt passes. */
    private static final class Lease {
        final long receivedAt;
        final long leaseNanos;
        volatile long extendAt;

        Lease(long receivedAt, long leaseNanos) {
            this.receivedAt = receivedAt;
            this.leaseNanos = leaseNanos;
            this.extendAt = receivedAt + leaseNanos / 2;
        }
    }

    private void handle(Streamed m) {
        try {
            handler.handle(m);
        } catch (Exception e) {
            m.nack(null);
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

        /**
         * Over the stream: true once the ack is on its way (a stale token comes back in
         * rejected_tokens and the server counts it; the message is then redelivered anyway).
         * Without a stream: the unary call's answer.
         */
        private void release() {
            if (stream.leases != null) {
                stream.leases.remove(ackToken());
            }
        }

        @Override
        public boolean ack() {
            if (!settled.compareAndSet(false, true)) {
                return false;
            }
            release();
            return (stream.settle(r -> r.addAckTokens(ackToken())) || client.ack(queue, ackToken()));
        }

        @Override
        public boolean nack(Duration delay) {
            if (!settled.compareAndSet(false, true)) {
                return false;
            }
            release();
            SubscribeRequest.Nack.Builder n = SubscribeRequest.Nack.newBuilder().setAckToken(ackToken());
            if (delay != null) {
                n.setDelay(Protos.duration(delay));
            }
            return stream.settle(r -> r.addNacks(n)) || client.nack(queue, ackToken(), delay);
        }

        @Override
        public boolean extend(Duration deadline) {
            if (deadline.isZero()) {
                release(); // given up: the subscriber must not extend it again
            }
            return !settled.get() && (stream.settle(r -> r.addExtensions(SubscribeRequest.Extension.newBuilder()
                    .setAckToken(ackToken()).setAckDeadline(Protos.duration(deadline))))
                    || client.extend(queue, ackToken(), deadline));
        }
    }
}
